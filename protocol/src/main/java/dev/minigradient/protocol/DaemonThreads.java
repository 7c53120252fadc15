package dev.minigradient.protocol;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads, for background loops that must not keep the JVM alive. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /**
   * An unstarted daemon thread.
   *
   * @param body what the thread runs
   * @param name the thread's name
   * @return the thread
   */
  public static Thread of(Runnable body, String name) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * A factory of daemon threads that all bear one name, for an executor's threads.
   *
   * @param name the threads' name
   * @return the factory
   */
  public static ThreadFactory named(String name) {
    return body -> of(body, name);
  }
}
