package dev.minigradient.launcher;

import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.ModelOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/**
 * The model and readable sample images a launcher command runs on, resolved from its options.
 *
 * @param model the registry model
 * @param inputs the readable images, in name order
 */
record SampleRun(ModelSpec model, List<Input> inputs) {
  /**
   * Resolves the model and reads the samples, or fails as a bad argument (exit 2).
   *
   * @param cmd the command, for its error
   * @param model the model option
   * @param samplesOption the samples option
   * @return the model and inputs
   * @throws CommandLine.ParameterException if the model is unknown or no image is readable
   */
  static SampleRun resolve(CommandLine cmd, ModelOption model, SamplesOption samplesOption) {
    Path samples = samplesOption.path();
    if (!Files.exists(samples)) {
      throw new CommandLine.ParameterException(cmd, "samples not found: " + samples);
    }
    ModelSpec spec = Arguments.read(cmd, model::resolve);
    List<Input> inputs =
        Submitter.read(List.of(samples)).stream().filter(i -> i.error() == null).toList();
    if (inputs.isEmpty()) {
      throw new CommandLine.ParameterException(cmd, "no readable images in " + samples);
    }
    return new SampleRun(spec, inputs);
  }
}
