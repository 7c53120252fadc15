package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.KafkaSettings;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processing guarantee must not renumber the topology's sub-topologies: a task's id (say {@code
 * 2_0}) names its state folder and its state stores' changelogs, so an application restarted with
 * the other guarantee on the same state must find each store under the task that owns it. (Kafka
 * Streams refuses a store that moves to another task: "Metrics recorder is re-initialised with
 * different task".)
 */
class TopologyShapeTest {
  @TempDir Path stateDir;

  @Test
  void bothGuaranteesNumberTheSubTopologiesAlike() {
    ConsensusConfig eos =
        ConsensusConfig.defaults(new KafkaSettings("localhost:9", Map.of()), stateDir);
    ConsensusConfig alos =
        eos.withTiming(eos.decisionTimeoutMs(), eos.commitIntervalMs(), !eos.exactlyOnce());

    Map<Integer, String> a = subTopologies(ConsensusTopology.build(eos).describe());
    Map<Integer, String> b = subTopologies(ConsensusTopology.build(alos).describe());

    assertThat(a).isNotEmpty();
    assertThat(b).isEqualTo(a);
  }

  /** Each sub-topology's id against its processors' names and their state stores. */
  private static Map<Integer, String> subTopologies(TopologyDescription d) {
    Map<Integer, String> out = new TreeMap<>();
    for (TopologyDescription.Subtopology s : d.subtopologies()) {
      StringBuilder nodes = new StringBuilder();
      s.nodes().stream()
          .sorted(Comparator.comparing(TopologyDescription.Node::name))
          .forEach(
              n -> {
                nodes.append(n.name());
                if (n instanceof TopologyDescription.Processor p) {
                  nodes.append(new TreeSet<>(p.stores()));
                }
                nodes.append(' ');
              });
      out.put(s.id(), nodes.toString());
    }
    return out;
  }
}
