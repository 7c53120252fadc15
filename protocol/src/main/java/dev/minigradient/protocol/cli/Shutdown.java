package dev.minigradient.protocol.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a long-running command alive until the JVM is asked to stop (Ctrl-C, SIGTERM). */
public final class Shutdown {
  private Shutdown() {}

  /**
   * Blocks until a shutdown signal, closing {@code running} from the shutdown hook (so the JVM
   * waits for the close to finish before it exits).
   *
   * @param running what to close on shutdown, e.g. a started service
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static void closeOnShutdown(AutoCloseable running) throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    System.err.println("error while shutting down: " + e);
                  } finally {
                    closed.countDown();
                  }
                },
                "shutdown"));
    closed.await();
  }
}
