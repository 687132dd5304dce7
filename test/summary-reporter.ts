import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI log reader
 * understands. A suite or file that failed outside its tests (a failing beforeAll, say, when the
 * PostgreSQL server is required but down) counts as a failure even though its tests show as skipped.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') failedTests++;
        else counts.skipped++;
      }
      const failedSuites = [...module.children.allSuites()].filter((suite) => suite.state() === 'failed' && suite.errors().length > 0).length;
      const moduleFailed = module.state() === 'failed' && failedTests === 0 && failedSuites === 0 ? 1 : 0;
      counts.failed += failedTests + failedSuites + moduleFailed;
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
