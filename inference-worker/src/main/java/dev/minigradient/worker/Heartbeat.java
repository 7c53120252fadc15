package dev.minigradient.worker;

import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Topics;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a peer on {@link Topics#PEERS} and repeats the record every heartbeat interval on a
 * thread of its own, until stopped; a last record says that the peer leaves.
 */
final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final WorkerConfig config;
  private final String publicKey;
  private final List<String> models;
  private final Producer<String, byte[]> producer;
  private final ScheduledExecutorService beats;

  /**
   * Creates an unstarted heartbeat.
   *
   * @param config the peer's id, stake and heartbeat interval
   * @param publicKey the peer's encoded public key
   * @param models ids of the models it serves
   * @param producer sends the records (not closed here)
   */
  Heartbeat(
      WorkerConfig config,
      String publicKey,
      List<String> models,
      Producer<String, byte[]> producer) {
    this.config = config;
    this.publicKey = publicKey;
    this.models = List.copyOf(models);
    this.producer = producer;
    this.beats =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("peer-" + config.peerId() + "-heartbeat"));
  }

  /** Registers the peer now and schedules the heartbeats. */
  void start() {
    publish(false);
    long every = config.heartbeatIntervalMs();
    beats.scheduleAtFixedRate(() -> publish(false), every, every, TimeUnit.MILLISECONDS);
  }

  /** Stops beating at once; idempotent. */
  void stop() {
    beats.shutdownNow();
  }

  /** Waits (up to 2 s) for a beat in progress after {@link #stop()}. */
  void awaitStopped() {
    try {
      beats.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Says that the peer leaves: the registry drops it from the rosters it publishes next. */
  void publishLeaving() {
    publish(true);
  }

  private void publish(boolean leaving) {
    Peer peer =
        Peer.builder()
            .peerId(config.peerId())
            .publicKey(publicKey)
            .stake(config.stake())
            .models(models)
            .hardware(
                Runtime.getRuntime().availableProcessors()
                    + " cpu, "
                    + System.getProperty("os.arch"))
            .heartbeatAt(System.currentTimeMillis())
            .heartbeatIntervalMs(config.heartbeatIntervalMs())
            .leaving(leaving)
            .build();
    producer.send(
        new ProducerRecord<>(
            Topics.PEERS.name(),
            config.peerId(),
            Topics.PEERS.valueSerde().serializer().serialize(Topics.PEERS.name(), peer)),
        (md, e) -> {
          if (e != null) {
            log.warn("peer {}: heartbeat failed: {}", config.peerId(), e.toString());
          }
        });
  }
}
