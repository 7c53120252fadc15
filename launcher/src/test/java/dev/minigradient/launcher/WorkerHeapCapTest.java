package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.model.preprocess.MnistPreprocessor;
import dev.minigradient.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A peer's heap cap is written in three places: {@code bin/inference-worker}, the compose file's
 * worker service and the options {@code bench} measures a worker process with. They must agree, or
 * the bench reports the memory of a peer nobody runs.
 */
class WorkerHeapCapTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void theScriptTheComposeFileAndTheBenchCapTheHeapAlike() throws Exception {
    String cap = String.join(" ", Bench.WORKER_JAVA_OPTIONS);
    assertThat(cap).startsWith("-Xmx");
    assertThat(Files.readString(ROOT.resolve("bin/inference-worker")))
        .contains("JAVA_OPTS:-" + cap + "}");
    assertThat(Files.readString(ROOT.resolve("docker-compose.yml")))
        .contains("JAVA_TOOL_OPTIONS: " + cap + "\n");
  }

  @Test
  void theCappedHeapHoldsTheLargestImageAPeerDecodes() {
    String cap = Bench.WORKER_JAVA_OPTIONS.get(0);
    assertThat(cap).matches("-Xmx\\d+m");
    long heapBytes = Long.parseLong(cap.substring(4, cap.length() - 1)) << 20;
    // a quarter of the heap left for the Kafka clients' buffers and everything else
    assertThat(MnistPreprocessor.peakHeapBytes(WorkerConfig.DEFAULT_MAX_PIXELS))
        .isLessThanOrEqualTo(heapBytes * 3 / 4);
    // a 4032x3024 phone photo is accepted
    assertThat(WorkerConfig.DEFAULT_MAX_PIXELS).isGreaterThanOrEqualTo(4032L * 3024);
  }
}
