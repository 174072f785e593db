// Preload (`node --import ./bench/peak-rss.mjs …`) that prints the process's peak resident set
// (`process.resourceUsage().maxRSS`, KiB, worker threads included) as the last line on stderr
// when the process exits: `peak-rss-kb N`. Used by bench/predict-package.ts and the
// predict PACKAGE memory tests to measure a real CLI run without extra tools.
process.on("exit", () => {
  process.stderr.write(`\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
