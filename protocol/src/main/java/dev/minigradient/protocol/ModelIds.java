package dev.minigradient.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Model ids: the SHA-256 of the ONNX file, so a vote names exactly the bytes its peer ran and a
 * task names exactly the model it wants.
 */
public final class ModelIds {
  private ModelIds() {}

  /**
   * The model id of an ONNX file.
   *
   * @param onnxFile path to the {@code .onnx} file
   * @return the SHA-256 of the file, lower-case hex
   * @throws UncheckedIOException if the file cannot be read
   */
  public static String of(Path onnxFile) {
    try {
      return Hashes.sha256Hex(onnxFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + onnxFile, e);
    }
  }
}
