package dev.minigradient.model.preprocess;

/**
 * Thrown when input bytes cannot become a model tensor.
 *
 * <p>{@link #reason()} is a short, stable, kebab-case code meant for machines (votes, metrics,
 * logs): {@code empty-input}, {@code not-an-image}, {@code too-many-pixels}, {@code
 * undecodable-image} or {@code blank-image}. The message is for humans.
 */
public final class InvalidInputException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String reason;

  /**
   * Creates the exception.
   *
   * @param reason short kebab-case code, e.g. {@code not-an-image}
   * @param message human-readable detail
   */
  public InvalidInputException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Creates the exception with the underlying failure.
   *
   * @param reason short kebab-case code, e.g. {@code undecodable-image}
   * @param message human-readable detail
   * @param cause the decoder's exception
   */
  public InvalidInputException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /**
   * Returns the machine-readable reason code.
   *
   * @return a short kebab-case code such as {@code blank-image}
   */
  public String reason() {
    return reason;
  }
}
