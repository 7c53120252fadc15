package dev.minigradient.launcher;

import dev.minigradient.protocol.cli.ModelOption;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * The options of a launcher command that runs one model on the sample images (a picocli mixin):
 * {@code --model} and {@code --models-dir} ({@link ModelOption}) and {@code --samples} ({@link
 * SamplesOption}).
 */
final class SampleRunOptions {
  /** The model to run. */
  @Mixin ModelOption model;

  /** The sample images. */
  @Mixin SamplesOption samples;

  /**
   * Resolves the model and reads the samples, or fails as a bad argument (exit 2).
   *
   * @param cmd the command, for its error
   * @return the model and the readable images
   * @throws CommandLine.ParameterException if the model is unknown or no image is readable
   */
  SampleRun resolve(CommandLine cmd) {
    return SampleRun.resolve(cmd, model, samples);
  }
}
