package dev.minigradient.launcher;

import dev.minigradient.producer.Input;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.ModelOption;
import java.util.List;
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
   * @throws CommandLine.ParameterException if the samples are not found, the model is unknown or no
   *     image is readable
   */
  SampleRun resolve(CommandLine cmd) {
    List<Input> all = samples.read(cmd);
    ModelSpec spec = Arguments.read(cmd, model::resolve);
    List<Input> inputs = all.stream().filter(i -> i.error() == null).toList();
    if (inputs.isEmpty()) {
      throw new CommandLine.ParameterException(cmd, "no readable images in " + samples.path());
    }
    return new SampleRun(spec, inputs);
  }
}
