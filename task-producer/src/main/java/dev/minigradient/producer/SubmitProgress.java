package dev.minigradient.producer;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar of a submission's answers ({@code me.tongfei:progressbar}): answered of total,
 * speed, time left, and how many were decided and failed. {@link #none()} shows nothing.
 */
public final class SubmitProgress implements AutoCloseable {
  private final ProgressBar bar;
  private final PrintStream out;
  private long decided;
  private long failed;
  private boolean closed;

  private SubmitProgress(ProgressBar bar, PrintStream out) {
    this.bar = bar;
    this.out = out;
  }

  /**
   * No progress bar.
   *
   * @return a progress that shows nothing
   */
  public static SubmitProgress none() {
    return new SubmitProgress(null, null);
  }

  /**
   * A progress bar.
   *
   * @param out where to draw it, usually {@code System.err}
   * @param total inputs to answer
   * @param width characters it may take, or 0 for the terminal's width
   * @return the started bar
   */
  public static SubmitProgress on(PrintStream out, int total, int width) {
    ProgressBarBuilder b =
        new ProgressBarBuilder()
            .setTaskName("tasks")
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(250)
            .showSpeed()
            .setConsumer(
                width > 0
                    ? new ConsoleProgressBarConsumer(out, width)
                    : new ConsoleProgressBarConsumer(out));
    return new SubmitProgress(b.build(), out);
  }

  /**
   * Counts one answered input.
   *
   * @param r its result
   */
  public synchronized void answered(Result r) {
    if (bar == null || closed) {
      return;
    }
    if (r.failure() == null) {
      decided++;
    } else {
      failed++;
    }
    bar.setExtraMessage(" decided " + decided + ", failed " + failed);
    bar.step();
  }

  /**
   * Clears the bar's line before another line is printed to the same terminal; the bar draws itself
   * again below it.
   */
  public synchronized void clearLine() {
    if (bar != null) {
      out.print("\r\033[2K");
      out.flush();
    }
  }

  /** Draws the final state and ends the bar's line; idempotent. */
  @Override
  public synchronized void close() {
    if (bar != null && !closed) {
      closed = true;
      bar.close();
    }
  }
}
