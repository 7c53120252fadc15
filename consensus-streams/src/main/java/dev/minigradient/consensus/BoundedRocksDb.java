package dev.minigradient.consensus;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the app together: one block cache of {@link
 * #TOTAL_OFF_HEAP_BYTES} shared by all stores, with their memtables charged to it through one write
 * buffer manager, and index and filter blocks kept in it too. Without it, each store (two per
 * partition, plus the four global stores) has its own 50 MiB block cache and up to three 16 MiB
 * memtables, and the process's resident memory grows with the number of stores and the data read.
 * The pattern is Kafka Streams' "bounded memory" RocksDB configuration (Kafka's documentation,
 * "Memory management", RocksDB).
 *
 * <p>Set as {@code rocksdb.config.setter}; Streams makes an instance per store, so the cache and
 * the manager are static, made once per process and never closed by a store.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
  /** Block cache, memtables, index and filter blocks of all stores together, bytes. */
  public static final long TOTAL_OFF_HEAP_BYTES = 128L << 20;

  /** The part of {@link #TOTAL_OFF_HEAP_BYTES} that memtables may take, bytes. */
  public static final long TOTAL_MEMTABLE_BYTES = 32L << 20;

  /** Fraction of the cache kept for index and filter blocks (high priority). */
  private static final double INDEX_FILTER_RATIO = 0.1;

  /**
   * The shared cache and manager, made when the first store is configured: Kafka loads this class
   * while parsing the config, before RocksDB's native library is loaded.
   */
  private static final class Shared {
    static {
      RocksDB.loadLibrary();
    }

    static final Cache CACHE = new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, INDEX_FILTER_RATIO);

    static final WriteBufferManager WRITE_BUFFERS =
        new WriteBufferManager(TOTAL_MEMTABLE_BYTES, CACHE);

    private Shared() {}
  }

  /** Streams makes it, once per store. */
  public BoundedRocksDb() {}

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(Shared.CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(Shared.WRITE_BUFFERS);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // the cache and the write buffer manager are shared by every store of the process
  }
}
