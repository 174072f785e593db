// Preload (`node --import ./bench/peak-rss.mjs …`) that prints the process's peak resident set
// (`process.resourceUsage().maxRSS`, KiB, worker threads included) and its CPU time (user +
// system, ms, all threads) as the last lines on stderr when the process exits:
// `cpu-ms N` then `peak-rss-kb N`. Used by the benchmarks and the predict PACKAGE memory
// tests to measure a real CLI run without extra tools.
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\ncpu-ms ${Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000)}\npeak-rss-kb ${usage.maxRSS}\n`);
});
