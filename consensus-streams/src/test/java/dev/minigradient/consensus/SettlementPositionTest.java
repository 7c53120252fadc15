package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A task's settlements name where its task record lies, so the ledger can file their marks. */
class SettlementPositionTest extends AbstractTopologyTest {
  @Test
  void eachSettlementNamesItsTaskRecordsPartitionAndOffset() {
    startWithPeers("position-test", "p1", "p2", "p3");
    Task first = task("t1", new byte[] {1}).build();
    Task second = task("t2", new byte[] {2}).build();
    tasks.pipeInput("t1", first);
    tasks.pipeInput("t2", second);
    for (String p : List.of("p1", "p2", "p3")) {
      votes.pipeInput("t2", signedVote(second, p, 4, probabilities(4, 0.9)));
    }

    List<Settlement> settled = settlements.readValuesToList();
    assertThat(settled).hasSize(3);
    assertThat(settled).extracting(Settlement::taskId).containsOnly("t2");
    assertThat(settled).extracting(Settlement::taskPartition).containsOnly(0);
    assertThat(settled).extracting(Settlement::taskOffset).containsOnly(1L);
  }
}
