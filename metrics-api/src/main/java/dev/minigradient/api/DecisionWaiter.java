package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.DaemonThreads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for tasks' decisions without holding a thread per request: a request's future completes
 * when the network's news of a decision names its task ({@link NetworkState#onDecision}), or when a
 * lookup finds it (at once, then every {@code pollEvery}, in case the news came before the request
 * began to wait), or with null at its timeout. What depends on the future runs on the waiter's own
 * threads, never on the feed's or the timers'. Its threads start when something first waits.
 */
final class DecisionWaiter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DecisionWaiter.class);

  private final NetworkState state;
  private final Map<String, CompletableFuture<Consensus>> waiting = new ConcurrentHashMap<>();
  private final long pollMs;
  private ScheduledExecutorService poller;
  private ExecutorService answers;
  private boolean closed;

  /**
   * Creates the waiter and subscribes it to the state's decisions.
   *
   * @param state where decisions are learnt
   * @param pollEvery how often pending tasks are looked up, besides the news
   */
  DecisionWaiter(NetworkState state, Duration pollEvery) {
    this.state = state;
    this.pollMs = Math.max(1, pollEvery.toMillis());
    state.onDecision(this::offer);
  }

  private synchronized ExecutorService started() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (poller == null) {
      poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("api-decision-poll"));
      poller.scheduleWithFixedDelay(this::poll, pollMs, pollMs, TimeUnit.MILLISECONDS);
      answers = Executors.newCachedThreadPool(DaemonThreads.named("api-decision-answer"));
    }
    return answers;
  }

  /**
   * Waits for a task's decision.
   *
   * @param taskId the task
   * @param timeout how long to wait, 0 to look once
   * @return completes with the decision, or with null when none came within {@code timeout} (or the
   *     waiter closed)
   * @throws IllegalStateException once closed
   */
  CompletableFuture<Consensus> await(String taskId, Duration timeout) {
    ExecutorService executor = started();
    CompletableFuture<Consensus> f =
        waiting.computeIfAbsent(taskId, id -> new CompletableFuture<>());
    CompletableFuture<Consensus> answer = f.thenApplyAsync(Function.identity(), executor);
    f.whenComplete((c, e) -> waiting.remove(taskId, f));
    lookUp(taskId, f);
    if (timeout.isZero()) {
      f.complete(null);
    } else {
      f.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    return answer;
  }

  /**
   * Takes a decision read from the network.
   *
   * @param c the decision
   */
  void offer(Consensus c) {
    CompletableFuture<Consensus> f = c == null ? null : waiting.get(c.taskId());
    if (f != null) {
      f.complete(c);
    }
  }

  /**
   * Tasks waited for now.
   *
   * @return how many
   */
  int waiting() {
    return waiting.size();
  }

  private void poll() {
    waiting.forEach(this::lookUp);
  }

  private void lookUp(String taskId, CompletableFuture<Consensus> f) {
    try {
      Consensus c = state.decision(taskId);
      if (c != null) {
        f.complete(c);
      }
    } catch (RuntimeException e) {
      // the views restore or rebalance: the news or the next poll will tell
      log.debug("no lookup of task {} now: {}", taskId, e.toString());
    }
  }

  /** Stops polling; whoever still waits gets null (not decided). */
  @Override
  public void close() {
    ExecutorService stopPolling;
    ExecutorService stopAnswering;
    synchronized (this) {
      closed = true;
      stopPolling = poller;
      stopAnswering = answers;
    }
    if (stopPolling != null) {
      stopPolling.shutdownNow();
    }
    waiting.values().forEach(f -> f.complete(null));
    if (stopAnswering != null) {
      stopAnswering.shutdown();
    }
  }
}
