package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.model.preprocess.DigitLayout;
import dev.minigradient.model.preprocess.FashionLayout;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.model.preprocess.MnistPreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A registry entry's {@code preprocessing} name picks its layout. */
class PreprocessingTest {
  private static final Path SAMPLE =
      Path.of("..", "models", "mnist", "samples", "mnist-00023-label-0.png");

  @Test
  void eachRegisteredNameLaysTheImageOutWithItsOwnLayout() throws Exception {
    // given a real digit
    byte[] png = Files.readAllBytes(SAMPLE);

    // when each name preprocesses it
    float[] digit = Preprocessing.named("mnist-digit", InputLimits.MAX_PIXELS).apply(png);
    float[] fashion = Preprocessing.named("fashion-mnist", InputLimits.MAX_PIXELS).apply(png);

    // then each gives exactly its layout's output, and the two differ (20 px box vs 28)
    assertThat(digit)
        .containsExactly(
            new MnistPreprocessor(InputLimits.MAX_PIXELS, new DigitLayout()).preprocess(png));
    assertThat(fashion)
        .containsExactly(
            new MnistPreprocessor(InputLimits.MAX_PIXELS, new FashionLayout()).preprocess(png));
    assertThat(digit).isNotEqualTo(fashion);
  }

  @Test
  void anUnknownNameIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> Preprocessing.named("cifar", InputLimits.MAX_PIXELS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown recipe 'cifar' (known: fashion-mnist, mnist-digit, or tensors)");
  }
}
