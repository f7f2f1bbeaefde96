package dev.lattice.bench.replica;

import dev.lattice.bench.ResultSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.DataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * What a closed replica file holds, map by map: entries and the bytes of their keys and values
 * (strings counted in UTF-8, longs as 8). The key and value types follow the replica's map naming
 * ({@code ns.<name>.docs}, {@code .log}, ...); the rest of the file is MVStore's own (file
 * headers, chunk and page headers, alignment). Read only, for the growth section's breakdown.
 */
final class MapSizes {
  private MapSizes() {}

  static void emit(Path file, ResultSink out, String name, Map<String, Object> params) {
    MVStore store = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    try {
      long total = 0;
      for (String mapName : store.getMapNames()) {
        DataType<?> keyType;
        DataType<?> valueType;
        if (mapName.equals("meta")) {
          keyType = StringDataType.INSTANCE;
          valueType = StringDataType.INSTANCE;
        } else if (mapName.endsWith(".docs")) {
          keyType = StringDataType.INSTANCE;
          valueType = ByteArrayDataType.INSTANCE;
        } else if (mapName.endsWith(".vector")) {
          keyType = LongDataType.INSTANCE;
          valueType = ByteArrayDataType.INSTANCE;
        } else if (mapName.endsWith(".floor")) {
          keyType = LongDataType.INSTANCE;
          valueType = LongDataType.INSTANCE;
        } else {
          keyType = ByteArrayDataType.INSTANCE;
          valueType = ByteArrayDataType.INSTANCE;
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        MVMap<Object, Object> map = store.openMap(mapName, new MVMap.Builder().keyType(keyType).valueType(valueType));
        long bytes = 0;
        long entries = 0;
        for (Map.Entry<Object, Object> e : map.entrySet()) {
          bytes += sizeOf(e.getKey()) + sizeOf(e.getValue());
          entries++;
        }
        total += bytes;
        Map<String, Object> p = new java.util.LinkedHashMap<>(params);
        p.put("map", mapName);
        out.emit(name, p, "entries", entries, "count");
        out.emit(name, p, "key_value_bytes", bytes, "bytes");
      }
      Map<String, Object> p = new java.util.LinkedHashMap<>(params);
      p.put("map", "(all)");
      out.emit(name, p, "key_value_bytes", total, "bytes");
      out.emit(name, p, "mvstore_overhead", Env.size(file) - total, "bytes");
    } finally {
      store.close();
    }
  }

  private static long sizeOf(Object o) {
    if (o instanceof byte[] b) {
      return b.length;
    }
    if (o instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8).length;
    }
    return 8;
  }
}
