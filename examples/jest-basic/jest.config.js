/** @type {import('jest').Config} */
module.exports = {
  // The one line Vivarium needs: it registers each worker with vivariumd,
  // adds the matchers to expect, and attributes events to each test.
  testEnvironment: '@vivarium/jest',
};
