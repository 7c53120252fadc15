package dev.minigradient.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WorkerCommandTest {
  @Test
  void aContainersHostNameIsItsPeerId() {
    assertThat(WorkerCommand.hostPeerId(Map.of("HOSTNAME", "3f2a9c1b7e44\n")))
        .isEqualTo("3f2a9c1b7e44");
    assertThat(WorkerCommand.hostPeerId(Map.of("HOSTNAME", "gpu box:7"))).isEqualTo("gpu-box-7");
    assertThat(WorkerCommand.hostPeerId(Map.of("HOSTNAME", "h".repeat(80)))).hasSize(64);
    assertThat(WorkerCommand.hostPeerId(Map.of())).matches("[A-Za-z0-9._-]{1,64}");
  }

  @Test
  void peerIdIsOptionalAndAFlagWins() {
    WorkerCommand c = new WorkerCommand();
    new CommandLine(c).parseArgs("--peer-id", "p7");
    assertThat(c.peerId).isEqualTo("p7");
    WorkerCommand none = new WorkerCommand();
    new CommandLine(none).parseArgs();
    assertThat(none.peerId).isEqualTo(System.getenv("MG_PEER_ID"));
  }
}
