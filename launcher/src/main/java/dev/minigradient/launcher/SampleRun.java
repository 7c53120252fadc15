package dev.minigradient.launcher;

import dev.minigradient.producer.Input;
import dev.minigradient.protocol.ModelSpec;
import java.util.List;

/**
 * The model and readable sample images a launcher command runs on, resolved from its options.
 *
 * @param model the registry model
 * @param inputs the readable images, in name order
 */
record SampleRun(ModelSpec model, List<Input> inputs) {}
