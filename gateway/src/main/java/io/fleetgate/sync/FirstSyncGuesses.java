package io.fleetgate.sync;

import io.fleetgate.error.DatabaseErrors;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The cheap path of a first sync: a batch guessed to be all new (its devices, then its
 * identifiers) is inserted as such, after a savepoint; a unique violation disproves the guess,
 * returns to the savepoint and takes the general path. Each source's last failed guess is
 * remembered (one entry per source and kind at most), so that a source whose devices are known
 * stops guessing until a batch of it turns out to be all new again: a failed guess costs an
 * insert and an error in the database's log.
 */
@Component
class FirstSyncGuesses {

    static final String UNIQUE_VIOLATION = "23505";

    /** What is guessed to be new: the device rows, or the identifiers (MACs, IPs). */
    enum Kind {
        DEVICES("devices"), IDENTIFIERS("identity");

        private final String savepoint;

        Kind(String savepoint) {
            this.savepoint = savepoint;
        }
    }

    private final DeviceRepository repository;
    private final Set<UUID> storedDevicesFound = ConcurrentHashMap.newKeySet();
    private final Set<UUID> identifiersFound = ConcurrentHashMap.newKeySet();

    FirstSyncGuesses(DeviceRepository repository) {
        this.repository = repository;
    }

    /** Whether to guess that this source's batch holds only new {@code kind}: not after a failed guess. */
    boolean worthGuessing(Kind kind, UUID source) {
        return !found(kind).contains(source);
    }

    /** A batch of the source found nothing known: guessing pays again. */
    void nothingFound(Kind kind, UUID source) {
        found(kind).remove(source);
    }

    /** Runs {@code attempt} after a savepoint; on a unique violation, {@code otherwise} from the savepoint. */
    <T> Mono<T> attempt(Kind kind, UUID source, Mono<T> attempt, Mono<T> otherwise) {
        return repository.savepoint(kind.savepoint)
                .then(attempt)
                .onErrorResume(error -> {
                    if (!UNIQUE_VIOLATION.equals(DatabaseErrors.sqlState(error))) {
                        return Mono.error(error);
                    }
                    found(kind).add(source);
                    return repository.rollbackToSavepoint(kind.savepoint).then(otherwise);
                });
    }

    private Set<UUID> found(Kind kind) {
        return kind == Kind.DEVICES ? storedDevicesFound : identifiersFound;
    }
}
