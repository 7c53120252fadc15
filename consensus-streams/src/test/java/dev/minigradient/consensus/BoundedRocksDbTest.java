package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.KafkaSettings;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Every store of the app shares one bounded block cache and one write buffer manager. */
class BoundedRocksDbTest {
  @Test
  void everyStoreSharesOneBoundedCacheAndWriteBufferManager() {
    RocksDB.loadLibrary();
    try (Options a = new Options();
        Options b = new Options()) {
      a.setTableFormatConfig(new BlockBasedTableConfig());
      b.setTableFormatConfig(new BlockBasedTableConfig());

      new BoundedRocksDb().setConfig("pending-tasks", a, Map.of());
      new BoundedRocksDb().setConfig("decisions-store", b, Map.of());

      assertThat(a.writeBufferManager()).isNotNull().isSameAs(b.writeBufferManager());
      BlockBasedTableConfig t = (BlockBasedTableConfig) a.tableFormatConfig();
      assertThat(t.cacheIndexAndFilterBlocks()).isTrue();
      assertThat(t.cacheIndexAndFilterBlocksWithHighPriority()).isTrue();
      assertThat(t.pinTopLevelIndexAndFilter()).isTrue();
    }
  }

  @Test
  void theAppIsConfiguredWithIt() {
    ConsensusConfig config =
        ConsensusConfig.defaults(KafkaSettings.of("b:9092", Map.of(), Map.of()), Path.of("state"));
    assertThat(ConsensusTopology.streamsProperties(config))
        .containsEntry(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
  }
}
