// The slice of Jest's and Vitest's matcher context the matchers use, so one
// implementation serves both runners.
export interface MatcherUtils {
  matcherHint(matcherName: string, received?: string, expected?: string, options?: { isNot?: boolean; promise?: string }): string;
  EXPECTED_COLOR(text: string): string;
  RECEIVED_COLOR(text: string): string;
}

export interface MatcherState {
  isNot: boolean;
  promise?: string;
  utils: MatcherUtils;
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

export type MatcherReturn = MatcherResult | Promise<MatcherResult>;
