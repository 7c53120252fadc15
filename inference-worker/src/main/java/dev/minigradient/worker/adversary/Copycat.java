package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs nothing and copies what others publish: for a task it holds a seat on, it repeats another
 * peer's readable vote, or else the decision, as its own vote. A loop of its own reads the votes
 * and decisions from their ends.
 */
public final class Copycat extends PeerBound {
  private static final Logger log = LoggerFactory.getLogger(Copycat.class);
  private static final int REMEMBERED = 10_000;

  /** Recent tasks it would answer, by id, newest last. */
  private final Map<String, Task> recentTasks =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
              return size() > REMEMBERED;
            }
          });

  private final Set<String> copied = ConcurrentHashMap.newKeySet();
  private Thread copier;

  @Override
  void started() {
    copier = DaemonThreads.of(this::copyLoop, "peer-" + peer().peerId() + "-copier");
    copier.start();
  }

  @Override
  public ServedModel.Prediction answer(Task task, ServedModel model) {
    recentTasks.put(task.taskId(), task); // answered by the copier, from what others vote
    return null;
  }

  @Override
  public void close() {
    if (copier != null) {
      try {
        copier.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void copyLoop() {
    VotingPeer peer = peer();
    try (Consumer<String, byte[]> c = peer.observer("copier")) {
      List<TopicPartition> parts = new ArrayList<>();
      for (String topic : List.of(Topics.VOTES.name(), Topics.CONSENSUS.name())) {
        c.partitionsFor(topic).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
      }
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position);
      while (peer.isRunning()) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          copy(r);
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("peer {}: copier stopped", peer.peerId(), e);
    }
  }

  private void copy(ConsumerRecord<String, byte[]> r) {
    try {
      if (r.topic().equals(Topics.VOTES.name())) {
        Vote v = Topics.VOTES.valueSerde().deserializer().deserialize(r.topic(), r.value());
        if (v != null && !v.peerId().equals(peer().peerId()) && v.isReadable()) {
          copy(v.taskId(), v.label(), v.rejection(), v.probabilities());
        }
      } else {
        Consensus k =
            Topics.CONSENSUS.valueSerde().deserializer().deserialize(r.topic(), r.value());
        if (k != null && k.label() != null) {
          copy(k.taskId(), k.label(), null, MadeUpAnswers.peaked(k.label(), 10).probabilities());
        }
      }
    } catch (SerializationException e) {
      // not ours to judge
    }
  }

  private void copy(String taskId, int label, String rejection, List<Double> probabilities) {
    Task task = recentTasks.get(taskId);
    if (task == null || !copied.add(taskId)) {
      return;
    }
    VotingPeer peer = peer();
    peer.sendDetached(peer.newVote(task, label, rejection, probabilities, System.nanoTime()));
  }
}
