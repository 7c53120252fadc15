package dev.minigradient.api;

/** Thrown while the live feed has not caught up; answered 503 like a store that restores. */
final class NotReadyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is not ready
   */
  NotReadyException(String message) {
    super(message);
  }

  /**
   * Refuses to answer from a feed that is still reading the topics' history.
   *
   * @param feed the live feed
   * @throws NotReadyException until it has caught up
   */
  static void requireCaughtUp(LiveFeed feed) {
    if (!feed.caughtUp()) {
      throw new NotReadyException("live feed catching up with the topics");
    }
  }
}
