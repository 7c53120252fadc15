package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the routes that wait for decisions (the Open Inference Protocol's, {@link V2Routes}) and the
 * model catalog read of the network: whether the API can learn decisions, a task's decision, news
 * of each new one, and the models active peers serve. {@link #of} reads the Streams views and the
 * live feed; tests give their own.
 */
public interface NetworkState {
  /**
   * Whether the API can answer from the network's state: the views run and the live feed has caught
   * up with the topics.
   *
   * @return true when ready
   */
  boolean ready();

  /**
   * A task's decision.
   *
   * @param taskId the task
   * @return its consensus, or null if not decided (yet)
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the views are not
   *     queryable
   */
  Consensus decision(String taskId);

  /**
   * Registers a listener for each decision made from now on.
   *
   * @param listener called once per decision, on a thread of the state's; must not block
   */
  void onDecision(Consumer<Consensus> listener);

  /**
   * The models active peers serve.
   *
   * @return model id to the ids of the active peers serving it, sorted
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the views are not
   *     queryable
   */
  Map<String, List<String>> served();

  /**
   * The state the API's views and live feed hold.
   *
   * @param views the Streams views (decisions, the peers registry)
   * @param feed the live feed (news of decisions)
   * @return the state
   */
  static NetworkState of(NetworkViews views, LiveFeed feed) {
    return new NetworkState() {
      @Override
      public boolean ready() {
        return views.state() == KafkaStreams.State.RUNNING && feed.caughtUp();
      }

      @Override
      public Consensus decision(String taskId) {
        return views.consensus(taskId);
      }

      @Override
      public void onDecision(Consumer<Consensus> listener) {
        feed.onConsensus(listener);
      }

      @Override
      public Map<String, List<String>> served() {
        return ModelCatalog.served(views);
      }
    };
  }
}
