package io.fleetgate.security;

import io.fleetgate.changes.Change;
import io.fleetgate.changes.Changes;
import io.fleetgate.changes.ChangePublisher;
import io.fleetgate.error.GatewayException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issues, resolves and revokes gRPC credentials. Resolved credentials are cached so that a hot
 * path (GetConfig) does not touch the database; a revocation clears the revoking replica's cache
 * before the call returns and every other replica's through the change feed; while the feed is
 * down nothing is served from the cache.
 */
@Service
public class CredentialService {

    private static final int MAX_CACHED = 100_000;

    private final CredentialRepository repository;
    private final Changes feed;
    private final ChangePublisher changes;
    private final TransactionalOperator transaction;
    private final Map<ByteBuffer, Caller> cache = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    public CredentialService(CredentialRepository repository, Changes feed, ChangePublisher changes,
                             TransactionalOperator transaction) {
        this.repository = repository;
        this.feed = feed;
        this.changes = changes;
        this.transaction = transaction;
        revocations().subscribe(change -> invalidate());
    }

    /** The caller a bearer token stands for, or UNAUTHENTICATED. */
    public Mono<Caller> authenticate(String token) {
        if (!Tokens.plausible(token)) {
            return Mono.error(GatewayException.unauthenticated("malformed bearer token"));
        }
        ByteBuffer key = ByteBuffer.wrap(Tokens.hash(token));
        Caller cached = cached(key);
        if (cached != null) {
            return Mono.just(cached);
        }
        long seen = generation.get();
        return repository.findActive(key.array())
                .switchIfEmpty(Mono.error(() -> GatewayException.unauthenticated("unknown or revoked credential")))
                .doOnNext(caller -> remember(key, caller, seen));
    }

    /** The caller a bearer token stands for if memory knows it (and the feed keeping memory current is live); null otherwise. */
    public @Nullable Caller cached(String token) {
        return Tokens.plausible(token) ? cached(ByteBuffer.wrap(Tokens.hash(token))) : null;
    }

    private @Nullable Caller cached(ByteBuffer key) {
        return feed.isLive() ? cache.get(key) : null;
    }

    /**
     * UNAUTHENTICATED once the caller's credential has been revoked. Asks the database only when
     * some credential changed since this caller was last found active (or the feed is down), so
     * a long-lived stream can call this for every message at no cost.
     */
    public CredentialCheck checkOf(Caller caller) {
        return new CredentialCheck(caller);
    }

    /** Revocations that may concern open calls (a credential changed, or the feed resynchronised). */
    public Flux<Change> revocations() {
        return feed.changes().filter(change -> change instanceof Change.CredentialsChanged || change instanceof Change.Resync);
    }

    /** The re-check of one long-lived call's credential (see {@link #checkOf}). */
    public final class CredentialCheck {
        private final Caller caller;
        private volatile long checkedAt;

        private CredentialCheck(Caller caller) {
            this.caller = caller;
            this.checkedAt = generation.get();
        }

        /** Before each message: from memory unless some credential changed since the last look. */
        public Mono<Void> verify() {
            return generation.get() == checkedAt && feed.isLive() ? Mono.empty() : verifyNow();
        }

        /** On a revocation signal: always from the database (the cache may not have seen it yet). */
        public Mono<Void> verifyNow() {
            long now = generation.get();
            return repository.isActive(caller.credentialId())
                    .flatMap(active -> {
                        if (!active) {
                            return Mono.error(GatewayException.unauthenticated("the credential was revoked"));
                        }
                        checkedAt = now;
                        return Mono.<Void>empty();
                    });
        }
    }

    private void remember(ByteBuffer key, Caller caller, long seen) {
        // A revocation seen while we were reading must win over what we read.
        if (!feed.isLive() || generation.get() != seen) {
            return;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, caller);
        if (generation.get() != seen) {
            cache.remove(key);
        }
    }

    /**
     * Runs a revocation in one transaction (its NOTIFY goes out at commit) and forgets every cached
     * caller right after the commit, before the revoking call answers: its own NOTIFY comes back
     * only milliseconds later.
     */
    private <T> Mono<T> revoking(Mono<T> revocation) {
        return revocation.as(transaction::transactional).doOnSuccess(committed -> invalidate());
    }

    /** Forgets every cached caller: after a local revocation, and on every replica by the feed. */
    private void invalidate() {
        generation.incrementAndGet();
        cache.clear();
    }

    /** A new agent enrollment token for the tenant. */
    public Mono<IssuedCredential> issueAgentToken(UUID tenantId, String label) {
        String token = Tokens.generate(CredentialKind.AGENT_ENROLLMENT);
        return repository.insert(CredentialKind.AGENT_ENROLLMENT, tenantId, null, Tokens.hash(token), Tokens.displayPrefix(token), label)
                .map(id -> new IssuedCredential(id, token));
    }

    /**
     * A new credential for a sync service; with {@code rotate} every other credential of that
     * service stops working in the same transaction.
     */
    public Mono<IssuedCredential> issueSyncServiceCredential(UUID tenantId, UUID syncServiceId, CredentialKind kind,
                                                             String label, boolean rotate) {
        String token = Tokens.generate(kind);
        return registerSyncServiceToken(tenantId, syncServiceId, kind, token, label, rotate)
                .map(id -> new IssuedCredential(id, token));
    }

    /** Stores a given token (e.g. the configured platform token) as a sync service credential. */
    public Mono<UUID> registerSyncServiceToken(UUID tenantId, UUID syncServiceId, CredentialKind kind, String token,
                                               String label, boolean rotate) {
        Mono<UUID> insert = repository.insert(kind, tenantId, syncServiceId, Tokens.hash(token), Tokens.displayPrefix(token), label);
        if (!rotate) {
            return insert;
        }
        return insert
                .flatMap(id -> repository.revokeForSyncService(syncServiceId, id)
                        .flatMap(revoked -> revoked > 0 ? changes.publish(new Change.CredentialsChanged()) : Mono.empty())
                        .thenReturn(id))
                .as(this::revoking);
    }

    /**
     * Revokes one credential of that kind of the tenant; NOT_FOUND when it has no such active
     * credential (a credential of another kind is not found either: an agent-token route must not
     * revoke a sync service's credential).
     */
    public Mono<Void> revoke(UUID tenantId, CredentialKind kind, UUID credentialId) {
        return repository.revoke(tenantId, kind, credentialId)
                .flatMap(revoked -> revoked == 0
                        ? Mono.<Void>error(GatewayException.notFound("no active " + kind.dbValue() + " credential " + credentialId))
                        : changes.publish(new Change.CredentialsChanged()))
                .as(this::revoking);
    }

    /** Revokes every credential of a sync service. */
    public Mono<Void> revokeSyncService(UUID syncServiceId) {
        return repository.revokeForSyncService(syncServiceId, new UUID(0, 0))
                .then(changes.publish(new Change.CredentialsChanged()))
                .as(this::revoking);
    }

    /** Whether the sync service has an active credential of that kind whose label starts with the prefix. */
    public Mono<Boolean> hasActive(CredentialKind kind, UUID syncServiceId, String labelPrefix) {
        return repository.hasActive(kind, syncServiceId, labelPrefix);
    }

    /** Revokes the labelled credentials of a sync service other than the given token's. */
    public Mono<Void> revokeLabelledExcept(UUID syncServiceId, String labelPrefix, String keepToken) {
        return repository.revokeLabelled(syncServiceId, labelPrefix, Tokens.hash(keepToken))
                .flatMap(revoked -> revoked > 0 ? changes.publish(new Change.CredentialsChanged()) : Mono.empty())
                .as(this::revoking);
    }

    /** A credential just created: the token is shown once and never stored. */
    public record IssuedCredential(UUID id, String token) {
    }
}
