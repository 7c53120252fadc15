package dev.minigradient.model;

import dev.minigradient.model.preprocess.DigitLayout;
import dev.minigradient.model.preprocess.FashionLayout;
import dev.minigradient.model.preprocess.InvalidInputException;
import dev.minigradient.model.preprocess.Layout;
import dev.minigradient.model.preprocess.MnistPreprocessor;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

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
   * @param name a registered layout: {@code mnist-digit} ({@link DigitLayout}: ink box to 20x20,
   *     centred by mass) or {@code fashion-mnist} ({@link FashionLayout}: object box to 28, centred
   *     by the box, shades kept)
   * @param maxPixels images whose header promises more pixels are refused
   * @return the preprocessing
   * @throws IllegalArgumentException for an unknown name
   */
  static Preprocessing named(String name, long maxPixels) {
    Supplier<Layout> layout = layouts().get(name);
    if (layout == null) {
      throw new IllegalArgumentException(
          "unknown recipe '"
              + name
              + "' (known: "
              + String.join(", ", new TreeSet<>(layouts().keySet()))
              + ", or tensors)");
    }
    return new MnistPreprocessor(maxPixels, layout.get())::preprocess;
  }

  /** The layouts a registry entry may name, by name: one line per layout. */
  private static Map<String, Supplier<Layout>> layouts() {
    return Map.of(
        "mnist-digit", DigitLayout::new,
        "fashion-mnist", FashionLayout::new);
  }
}
