// `globalSetup: '@vivarium/jest/global-setup'`: Jest runs globalSetup before
// it creates its reporters; this registers Jest's own process then, so the
// reporter's record of the runner (the report's '(runner)' file) starts with
// globalSetup. It makes the reporter's spool dir first, so that Vivarium's
// own bookkeeping is no event of the run. A project with a globalSetup of its
// own calls this first:
//   module.exports = async (...args) => { await require('@vivarium/jest/global-setup')(); ... }
// Needs '@vivarium/jest/reporter' among the reporters (it reads the record).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Keep in step with the reporter (reporter.cts) and REPORT_DIR_ENV in @vivarium/core.
const REPORT_DIR_ENV = 'VIVARIUM_REPORT_DIR';
const SPOOL_OWNER_ENV = 'VIVARIUM_SPOOL_OWNER';

async function vivariumGlobalSetup(): Promise<void> {
  const core = await import('@vivarium/core');
  const spool = mkdtempSync(join(tmpdir(), 'vivarium-spool-'));
  process.env[REPORT_DIR_ENV] = spool;
  process.env[SPOOL_OWNER_ENV] = String(process.pid);
  core.openSpool(spool);
  core.Session.get({ kinds: core.UPROBE_FED_KINDS });
}

export = vivariumGlobalSetup;
