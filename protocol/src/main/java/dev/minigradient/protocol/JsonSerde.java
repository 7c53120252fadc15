package dev.minigradient.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka {@link Serde} of one record type with Jackson: UTF-8 JSON (byte arrays base64), or, for
 * the internal topics and state stores that only the network's own code reads, CBOR (RFC 8949,
 * {@link #compact}): the same fields and names, but numbers in binary, so writing a probability
 * needs no decimal conversion and reading one no number parser (JSON's were a tenth of the
 * consensus app's CPU). Every deserializer reads both encodings, told apart by the first byte (a
 * JSON text starts with an ASCII character, a CBOR map with a byte of 0x80 or more), so records
 * written before a topic turned compact, and records written by hand, still read. Unknown
 * properties are ignored, so newer writers can add fields.
 *
 * @param <T> the record type
 */
public final class JsonSerde<T> implements Serde<T> {

  /** The shared, thread-safe mapper used for every wire type: {@link Json#MAPPER}. */
  public static final ObjectMapper MAPPER = Json.MAPPER;

  private static final Logger log = LoggerFactory.getLogger(JsonSerde.class);

  /** The CBOR mapper, configured as {@link #MAPPER}. */
  static final ObjectMapper CBOR =
      CBORMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  private final Class<T> type;
  private final boolean lenient;
  private final boolean compact;

  /** Hashes of the malformed records a lenient serde has warned of (global stores reread them). */
  private final Set<Integer> warned = ConcurrentHashMap.newKeySet();

  /** At most this many are remembered; past it, every malformed read is logged at debug. */
  private static final int MAX_WARNED = 4096;

  /**
   * Creates a serde for {@code type}.
   *
   * @param type the record class
   */
  public JsonSerde(Class<T> type) {
    this(type, false, false);
  }

  private JsonSerde(Class<T> type, boolean lenient, boolean compact) {
    this.type = type;
    this.lenient = lenient;
    this.compact = compact;
  }

  /**
   * A serde that writes CBOR (and reads CBOR or JSON), for topics and stores that only the
   * network's own code reads.
   *
   * @param type the record class
   * @param <T> the record type
   * @return the serde
   */
  public static <T> JsonSerde<T> compact(Class<T> type) {
    return new JsonSerde<>(type, false, true);
  }

  /**
   * Reads a record's value, JSON or CBOR, as a tree.
   *
   * @param data the bytes, not empty
   * @return the tree
   * @throws IOException if the bytes are neither
   */
  public static JsonNode tree(byte[] data) throws IOException {
    return isCbor(data) ? CBOR.readTree(data) : MAPPER.readTree(data);
  }

  /**
   * Whether bytes are CBOR rather than JSON: a JSON text (UTF-8, with or without a byte-order mark)
   * starts with an ASCII character; a CBOR map, or a CBOR tag before one, with a byte of 0x80 or
   * more other than a byte-order mark's 0xEF.
   *
   * @param data the bytes, not empty
   * @return true for CBOR
   */
  static boolean isCbor(byte[] data) {
    int first = data[0] & 0xFF;
    return first >= 0x80 && first != 0xEF;
  }

  /**
   * A serde whose deserializer logs a malformed record (a warning the first time it reads it) and
   * reads it as {@code null} (a tombstone) instead of throwing. For Kafka Streams global tables:
   * their thread cannot be replaced, and in Kafka 4.3 the dead-letter queue fails on it, so one bad
   * record would stop the whole application. The record is dead-lettered on a side path instead
   * (the consensus app does it for the registry and the ledger).
   *
   * @param type the record class
   * @param <T> the record type
   * @return the lenient serde
   */
  public static <T> JsonSerde<T> lenient(Class<T> type) {
    return new JsonSerde<>(type, true, false);
  }

  /**
   * How many distinct malformed records this lenient serde has warned of.
   *
   * @return the count, at most 4096
   */
  int warnedRecords() {
    return warned.size();
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> data == null ? null : write(data);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The deserializer throws {@link SerializationException} for bytes that are not a valid {@code
   * T}, with Jackson's message, so error handlers can route the record to the dead-letter topic
   * with its reason.
   */
  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> data == null ? null : read(topic, data);
  }

  private byte[] write(T data) {
    try {
      return (compact ? CBOR : MAPPER).writeValueAsBytes(data);
    } catch (IOException e) {
      throw new SerializationException(
          "cannot write " + type.getSimpleName() + (compact ? " as CBOR" : " as JSON"), e);
    }
  }

  private T read(String topic, byte[] data) {
    try {
      return data.length > 0 && isCbor(data)
          ? CBOR.readValue(data, type)
          : MAPPER.readValue(data, type);
    } catch (IOException | RuntimeException e) {
      if (lenient) {
        // once per record: a global store reads its records again and again
        if (warned.size() < MAX_WARNED && warned.add(Arrays.hashCode(data))) {
          log.warn(
              "skipping a record on {} that is not a valid {} (said once): {}",
              topic,
              type.getSimpleName(),
              e.getMessage());
        } else {
          log.debug("skipping a record on {} that is not a valid {}", topic, type.getSimpleName());
        }
        return null;
      }
      throw new SerializationException(
          "not a valid " + type.getSimpleName() + " on " + topic + ": " + e.getMessage(), e);
    }
  }
}
