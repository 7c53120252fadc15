package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process killed on purpose is told from one that exits on its own or is killed by another. */
class LocalProcessTest {
  @TempDir Path tmp;

  @Test
  void aKillOnPurposeIsNoCrashAndAnyOtherExitIs() throws Exception {
    LocalProcess p = new LocalProcess("sleeper", List.of("sleep", "60"), tmp, Map.of());
    List<String> crashes = new CopyOnWriteArrayList<>();
    p.onUnexpectedExit(q -> crashes.add(q.name() + " " + q.exitCode().orElse(-1)));

    // killed on purpose: no crash
    p.start();
    long first = p.pid();
    p.kill();
    assertThat(p.isAlive()).isFalse();
    Thread.sleep(500); // the exit listener would run by now
    assertThat(crashes).isEmpty();

    // started again and killed by someone else: a crash
    p.start();
    assertThat(p.pid()).isNotEqualTo(first);
    ProcessHandle.of(p.pid()).orElseThrow().destroyForcibly();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (crashes.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(crashes).containsExactly("sleeper 137");
    p.stop(Duration.ofSeconds(5));
  }
}
