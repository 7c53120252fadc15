package dev.minigradient.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Handlers of the peer routes: every peer in the registry or the ledger, and one peer's history.
 *
 * @param views the Streams views (registry and reputation ledger)
 * @param feed the live feed (reputation histories)
 */
record PeerRoutes(NetworkViews views, LiveFeed feed) {
  /**
   * A peer's latest registry record, as the peer routes show it.
   *
   * @param stake its stake, tokens
   * @param models the model ids it serves
   * @param hardware what it runs on, as it says
   * @param heartbeatIntervalMs its heartbeat interval, ms
   * @param lastSeenAt the broker's timestamp of the record, epoch ms
   * @param leaving whether it said it is leaving
   */
  record Registration(
      double stake,
      List<String> models,
      String hardware,
      long heartbeatIntervalMs,
      long lastSeenAt,
      boolean leaving) {
    static Registration of(NetworkViews.Registered r) {
      Peer p = r.peer();
      return new Registration(
          p.stake(), p.models(), p.hardware(), p.heartbeatIntervalMs(), r.stampedAt(), p.leaving());
    }
  }

  /** {@code GET /api/peers}: one document per peer, sorted by id. */
  void list(Context ctx) {
    Map<String, NetworkViews.Registered> registry = views.registry();
    Map<String, Reputation> ledger = views.reputation();
    Set<String> ids = new TreeSet<>(registry.keySet());
    ids.addAll(ledger.keySet());
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : ids) {
      out.add(document(id, registry.get(id), ledger.get(id)));
    }
    ctx.json(out);
  }

  /**
   * {@code GET /api/peers/{id}}: the peer's document with its reputation history; 404 if unknown.
   */
  void one(Context ctx) {
    String id = ctx.pathParam("id");
    NetworkViews.Registered r = views.registry().get(id);
    Reputation rep = views.reputation().get(id);
    if (r == null && rep == null) {
      throw new NotFoundResponse("no peer " + id + " in the registry or the reputation ledger");
    }
    NotReadyException.requireCaughtUp(feed);
    Map<String, Object> doc = document(id, r, rep);
    doc.put("history", feed.history(id));
    ctx.json(doc);
  }

  private static Map<String, Object> document(
      String id, NetworkViews.Registered r, Reputation rep) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("peerId", id);
    String status;
    if (r == null) {
      status = "unregistered";
    } else if (r.active()) {
      status = "active";
    } else if (r.peer().leaving()) {
      status = "left";
    } else {
      status = "evicted";
    }
    doc.put("status", status);
    doc.put("active", r != null && r.active());
    doc.put("registry", r == null ? null : Registration.of(r));
    JsonNode reputation = rep == null ? null : ApiJson.MAPPER.valueToTree(rep);
    doc.put("reputation", reputation instanceof ObjectNode o ? o : null);
    return doc;
  }
}
