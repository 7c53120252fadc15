package dev.minigradient.model;

import dev.minigradient.model.preprocess.InvalidInputException;
import dev.minigradient.model.preprocess.MnistPreprocessor;

/** Turns input bytes into a model's input tensor. Implementations are thread-safe. */
@FunctionalInterface
public interface Preprocessing {

  /**
   * Decodes and prepares one input.
   *
   * @param input the raw bytes (an image file)
   * @return float32 tensor [1, 1, 28, 28] flattened row-major, values in [0,1]
   * @throws InvalidInputException if the input cannot become a tensor, with a reason code
   */
  float[] apply(byte[] input) throws InvalidInputException;

  /**
   * The preprocessing a model's registry entry names.
   *
   * @param name {@code mnist-digit} (MNIST's recipe: ink box to 20x20, centred by mass) or {@code
   *     fashion-mnist} (Fashion-MNIST's: object box to 28, centred by the box, shades kept)
   * @param maxPixels images whose header promises more pixels are refused
   * @return the preprocessing
   * @throws IllegalArgumentException for an unknown name
   */
  static Preprocessing named(String name, long maxPixels) {
    MnistPreprocessor p =
        switch (name) {
          case "mnist-digit" -> new MnistPreprocessor(maxPixels, MnistPreprocessor.Layout.DIGIT);
          case "fashion-mnist" -> new MnistPreprocessor(maxPixels, MnistPreprocessor.Layout.FASHION);
          default -> throw new IllegalArgumentException(
              "unknown preprocessing '" + name + "' (known: mnist-digit, fashion-mnist)");
        };
    return p::preprocess;
  }
}
