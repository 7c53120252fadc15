package dev.minigradient.worker;

import dev.minigradient.model.ServedModel;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * What the parts of one peer share, made once by its {@link PeerWorker}: its settings, its state,
 * the models it serves, the factory of its Kafka clients, and the producer all its records leave
 * by.
 *
 * @param config the peer's settings
 * @param state whether it runs or crashed, and what it has published
 * @param models the models it serves, by id, in the order given; not changed once the peer is made
 * @param clients makes its consumers
 * @param producer sends every record of the peer (closed by its {@link PeerWorker})
 */
record PeerContext(
    WorkerConfig config,
    PeerState state,
    Map<String, ServedModel> models,
    PeerClients clients,
    Producer<String, byte[]> producer) {

  /**
   * The peer's id.
   *
   * @return the id
   */
  String peerId() {
    return config.peerId();
  }

  /**
   * A new consumer outside any consumer group that reads committed records only ({@link
   * ClientSettings#observer}).
   *
   * @param role names the client ({@code peer-<id>-<role>})
   * @return the consumer; the caller closes it
   */
  Consumer<String, byte[]> observer(String role) {
    return clients.consumer(ClientSettings.observer(peerId(), role));
  }
}
