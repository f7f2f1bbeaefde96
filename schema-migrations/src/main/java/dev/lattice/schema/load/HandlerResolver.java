package dev.lattice.schema.load;

import dev.lattice.crdt.merge.BuiltInHandlers;
import dev.lattice.crdt.merge.MergeHandler;
import dev.lattice.schema.migrate.BuiltInConverters;
import dev.lattice.schema.migrate.ValueConverter;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds merge handlers and converters by the name a schema gives: a built-in, then a
 * {@link ServiceLoader} provider whose {@code name()} matches, then a fully qualified class name
 * with a public no-arg constructor. Built-ins come first so a provider cannot shadow them.
 */
final class HandlerResolver {
  private final ClassLoader classLoader;

  HandlerResolver(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  /** The handler, or a sentence saying why there is none. */
  Result<MergeHandler> handler(String name) {
    Optional<MergeHandler> builtIn = BuiltInHandlers.byName(name);
    if (builtIn.isPresent()) {
      return Result.of(builtIn.get());
    }
    for (MergeHandler h : ServiceLoader.load(MergeHandler.class, classLoader)) {
      if (h.name().equals(name)) {
        return Result.of(h);
      }
    }
    return byClass(name, MergeHandler.class, "merge handler", "max, min, union");
  }

  Result<ValueConverter> converter(String name) {
    Optional<ValueConverter> builtIn = BuiltInConverters.byName(name);
    if (builtIn.isPresent()) {
      return Result.of(builtIn.get());
    }
    for (ValueConverter c : ServiceLoader.load(ValueConverter.class, classLoader)) {
      if (c.name().equals(name)) {
        return Result.of(c);
      }
    }
    return byClass(name, ValueConverter.class, "converter", String.join(", ", BuiltInConverters.names()));
  }

  private <T> Result<T> byClass(String name, Class<T> type, String what, String builtIns) {
    if (!name.contains(".")) {
      return Result.error("no " + what + " named '" + name + "': not a built-in (" + builtIns
          + "), no ServiceLoader provider has that name, and it is not a class name");
    }
    Class<?> c;
    try {
      c = Class.forName(name, false, classLoader);
    } catch (ClassNotFoundException | LinkageError e) {
      return Result.error("no " + what + " named '" + name + "': no such class on the class path");
    }
    if (!type.isAssignableFrom(c)) {
      return Result.error("class '" + name + "' does not implement " + type.getName());
    }
    try {
      return Result.of(type.cast(c.getConstructor().newInstance()));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return Result.error("class '" + name + "' cannot be created with a public no-arg constructor: " + e);
    }
  }

  /** A resolved value or the reason there is none. */
  record Result<T>(T value, String error) {
    static <T> Result<T> of(T value) {
      return new Result<>(value, null);
    }

    static <T> Result<T> error(String error) {
      return new Result<>(null, error);
    }
  }
}
