package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Task;
import java.util.Random;

/** Votes a random label with random probabilities, without running the model. */
public final class RandomLabels implements Adversary {
  private final Random random = new Random();

  @Override
  public ServedModel.Prediction answer(Task task, ServedModel model) {
    return MadeUpAnswers.random(random, MadeUpAnswers.classes(model));
  }
}
