package dev.minigradient.model.preprocess;

/**
 * How a model's data set laid its objects out in the {@link MnistPreprocessor#SIZE} x {@link
 * MnistPreprocessor#SIZE} input: the step after decoding, colour and orientation, which every
 * layout shares ({@link MnistPreprocessor}). A layout is named in a model's registry entry ({@code
 * preprocessing}) and registered by that name in {@code Preprocessing.named}. Implementations are
 * stateless and thread-safe; all arithmetic is sequential and deterministic.
 */
public interface Layout {

  /** Smallest ink-over-background contrast (in [0,1] luminance) that is not a blank image. */
  float MIN_CONTRAST = 0.04f;

  /**
   * Lays a decoded image out as the data set did.
   *
   * @param image the upright luminance image; its values may be overwritten
   * @return {@code float[SIZE * SIZE]}, row-major, light object on black, every value in [0,1]
   * @throws InvalidInputException {@code blank-image} when no object stands out of the background
   */
  float[] layOut(GrayImage image) throws InvalidInputException;
}
