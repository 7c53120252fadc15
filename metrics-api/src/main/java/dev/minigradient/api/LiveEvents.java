package dev.minigradient.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minigradient.protocol.Consensus;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-Sent Events of {@code GET /api/events}. One thread sends everything, in batches, so a
 * burst of thousands of decisions a second costs each browser a few messages:
 *
 * <ul>
 *   <li>{@code summary} every second: {@link NetworkStats.Summary} (or {@code {"ready":false}}
 *       while the views restore);
 *   <li>{@code consensus}: new decisions, an array, at most {@link #MAX_BATCH} per 250 ms;
 *   <li>{@code task}: new tasks ({@code taskId}, {@code name}, {@code modelId}, {@code
 *       submittedAt}), an array;
 *   <li>{@code reputation}: reputation updates, an array of the points {@code /api/peers/{id}}
 *       lists (the latest per peer in each batch);
 *   <li>{@code dead-letter}: new dead letters, an array.
 * </ul>
 */
public final class LiveEvents implements AutoCloseable {
  /**
   * Most records of one kind sent per batch; older ones of a burst are dropped (the REST routes
   * have them).
   */
  static final int MAX_BATCH = 200;

  private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

  private final Set<SseClient> clients = new CopyOnWriteArraySet<>();
  private final ScheduledExecutorService sender =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "api-sse");
            t.setDaemon(true);
            return t;
          });
  private final Queue<Consensus> decisions = new ConcurrentLinkedQueue<>();
  private final Queue<Map<String, Object>> tasks = new ConcurrentLinkedQueue<>();
  private final Queue<LiveFeed.DeadLetter> deadLetters = new ConcurrentLinkedQueue<>();
  private final Map<String, ObjectNode> reputation = new LinkedHashMap<>();
  private final Supplier<Object> summary;
  private volatile String lastSummary;

  /**
   * Wires the events to the feed and starts the sending thread.
   *
   * @param feed the live feed
   * @param summary computes the summary each second (on the sending thread); may throw while the
   *     views restore
   */
  public LiveEvents(LiveFeed feed, Supplier<Object> summary) {
    this.summary = summary;
    feed.onConsensus(c -> offer(decisions, c));
    feed.onTask(
        t -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("taskId", t.taskId());
          m.put("name", t.name());
          m.put("modelId", t.modelId());
          m.put("submittedAt", t.submittedAt());
          offer(tasks, m);
        });
    feed.onDeadLetter(d -> offer(deadLetters, d));
    feed.onReputation(
        p -> {
          synchronized (reputation) {
            reputation.put(p.get("peerId").asText(), p);
          }
        });
    sender.scheduleWithFixedDelay(this::flush, 250, 250, TimeUnit.MILLISECONDS);
    sender.scheduleWithFixedDelay(this::sendSummary, 0, 1, TimeUnit.SECONDS);
  }

  /**
   * Refuses a request for the stream without {@code Accept: text/event-stream}, to which Javalin
   * would answer an empty 200: a 406 that says what to send.
   *
   * @param ctx the request
   * @throws HttpResponseException 406 without the header
   */
  static void requireEventStream(Context ctx) {
    String accept = ctx.header("Accept");
    // the same test as Javalin's SseHandler, so a request passing it always gets the stream
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new HttpResponseException(
          HttpStatus.NOT_ACCEPTABLE.getCode(),
          "/api/events is a Server-Sent Events stream: send Accept: text/event-stream (e.g. curl -N -H 'Accept: text/event-stream')");
    }
  }

  private <T> void offer(Queue<T> q, T item) {
    q.add(item);
    // bounded: a burst nobody can read in time drops its oldest entries
    while (q.size() > MAX_BATCH * 4) {
      q.poll();
    }
  }

  /**
   * Adds a connected client; it receives the latest summary at once.
   *
   * @param client the client
   */
  public void add(SseClient client) {
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    clients.add(client);
    String s = lastSummary;
    sender.execute(
        () -> {
          client.sendComment("connected");
          if (s != null) {
            client.sendEvent("summary", s);
          }
        });
  }

  /**
   * Connected clients.
   *
   * @return how many
   */
  public int clients() {
    return clients.size();
  }

  private void sendSummary() {
    String json;
    try {
      json = ApiJson.MAPPER.writeValueAsString(summary.get());
    } catch (InvalidStateStoreException e) {
      json = "{\"ready\":false}";
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("cannot compute the summary: {}", e.toString());
      return;
    }
    lastSummary = json;
    broadcast("summary", json);
  }

  private void flush() {
    try {
      // tasks before decisions, so a page never shows a decided task as pending
      sendBatch("task", drain(tasks));
      sendBatch("consensus", drain(decisions));
      sendBatch("dead-letter", drain(deadLetters));
      List<ObjectNode> points;
      synchronized (reputation) {
        points = new ArrayList<>(reputation.values());
        reputation.clear();
      }
      sendBatch("reputation", points);
    } catch (RuntimeException e) {
      log.warn("cannot send events: {}", e.toString());
    }
  }

  private static <T> List<T> drain(Queue<T> q) {
    List<T> out = new ArrayList<>();
    T item;
    while (out.size() < MAX_BATCH && (item = q.poll()) != null) {
      out.add(item);
    }
    return out;
  }

  private void sendBatch(String event, List<?> items) {
    if (items.isEmpty() || clients.isEmpty()) {
      return;
    }
    try {
      broadcast(event, ApiJson.MAPPER.writeValueAsString(items));
    } catch (JsonProcessingException e) {
      log.warn("cannot write {} events: {}", event, e.toString());
    }
  }

  private void broadcast(String event, String json) {
    for (SseClient c : clients) {
      if (c.terminated()) {
        clients.remove(c);
        continue;
      }
      try {
        c.sendEvent(event, json);
      } catch (RuntimeException e) {
        clients.remove(c);
      }
    }
  }

  @Override
  public void close() {
    sender.shutdownNow();
    for (SseClient c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        log.debug("closing an SSE client: {}", e.toString());
      }
    }
    clients.clear();
  }
}
