package dev.lattice.bench.peers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One figure of one trial, in the bench's JSON-line shape, from any side (Node or Java).
 * {@code value} is {@code NaN} where the line says {@code null} (a figure that cannot be measured);
 * params keep numbers as {@code Long} (integers) or {@code Double}, in the order given.
 */
public record ResultLine(String name, Map<String, Object> params, String metric, double value, String unit) {
  public ResultLine {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }
}
