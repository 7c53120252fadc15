package dev.minigradient.launcher;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Untimed warm-up passes made until the JIT was quiet (see {@link #untilQuiet}).
 *
 * @param passes how many
 * @param lastJitShare the JIT's compile time over the wall time of the last one
 */
record JitWarmUp(int passes, double lastJitShare) {
  /** Longest warm-up, ns. */
  static final long LIMIT_NS = 90_000_000_000L;

  /**
   * The JIT counts as quiet when its compiler threads spent less than this share of a warm-up
   * pass's wall time compiling.
   */
  static final double QUIET_SHARE = 0.05;

  /**
   * Runs {@code pass} again and again, untimed, until the JIT's compiler threads spent less than
   * {@link #QUIET_SHARE} of a pass's wall time compiling, or {@link #LIMIT_NS} has passed; once
   * when {@code quick}. On 2 cores the compiler threads took more than half a core through the
   * first 20 s of Kafka client, broker and Streams code, which a timed pass must not pay: a
   * long-running peer or consensus app runs compiled code.
   *
   * @param quick the CI smoke: one pass
   * @param pass one untimed pass
   * @return the passes made
   */
  static JitWarmUp untilQuiet(boolean quick, Runnable pass) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long until = System.nanoTime() + LIMIT_NS;
    int passes = 0;
    while (true) {
      long compiledMs =
          jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
      long t0 = System.nanoTime();
      pass.run();
      passes++;
      double share =
          jit.isCompilationTimeMonitoringSupported()
              ? (jit.getTotalCompilationTime() - compiledMs) / ((System.nanoTime() - t0) / 1e6)
              : 0;
      if (quick || share < QUIET_SHARE || System.nanoTime() > until) {
        return new JitWarmUp(passes, share);
      }
    }
  }

  /**
   * The report's note on the passes.
   *
   * @param what names the passes, e.g. {@code "drain(s) of the same tasks"}
   * @return the note
   */
  String note(String what) {
    return String.format(
        Locale.ROOT,
        "%d untimed %s ran first (until the JIT's compile time fell under %d%% of a pass's wall "
            + "time, for at most %d s; one with --quick); in the last, compile time was %.0f%% of wall time (summed over the "
            + "compiler threads).",
        passes,
        what,
        Math.round(QUIET_SHARE * 100),
        LIMIT_NS / 1_000_000_000L,
        lastJitShare * 100);
  }
}
