package io.fleetgate.client.sync.discovery;

import io.fleetgate.net.OutboundPolicy;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Resolves host names for the connections themselves (non-blocking DNS, /etc/hosts first) and
 * fails a name any of whose addresses the policy refuses. The check happens in the resolver the
 * connection uses, so the address checked is the address connected to: a name that answers a
 * public address to one lookup and 127.0.0.1 to the next (DNS rebinding) gains nothing.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final OutboundPolicy policy;
    private final AddressResolverGroup<InetSocketAddress> delegate;

    GuardedResolverGroup(OutboundPolicy policy) {
        this(policy, new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(NioDatagramChannel.class)));
    }

    /** With another resolver underneath: tests stand in a name server that lies. */
    GuardedResolverGroup(OutboundPolicy policy, AddressResolverGroup<InetSocketAddress> delegate) {
        this.policy = policy;
        this.delegate = delegate;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        AddressResolver<InetSocketAddress> resolver = delegate.getResolver(executor);
        return new AbstractAddressResolver<>(executor, InetSocketAddress.class) {
            @Override
            protected boolean doIsResolved(InetSocketAddress address) {
                return !address.isUnresolved();
            }

            @Override
            protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                resolver.resolve(unresolved).addListener((Future<InetSocketAddress> resolved) -> {
                    if (!resolved.isSuccess()) {
                        promise.setFailure(resolved.cause());
                        return;
                    }
                    refusal(unresolved, List.of(resolved.getNow()))
                            .ifPresentOrElse(promise::setFailure, () -> promise.setSuccess(resolved.getNow()));
                });
            }

            @Override
            protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                resolver.resolveAll(unresolved).addListener((Future<List<InetSocketAddress>> resolved) -> {
                    if (!resolved.isSuccess()) {
                        promise.setFailure(resolved.cause());
                        return;
                    }
                    refusal(unresolved, resolved.getNow())
                            .ifPresentOrElse(promise::setFailure, () -> promise.setSuccess(resolved.getNow()));
                });
            }
        };
    }

    private Optional<UnknownHostException> refusal(InetSocketAddress name, List<InetSocketAddress> addresses) {
        for (InetSocketAddress address : addresses) {
            Optional<String> why = policy.refusal(address.getAddress());
            if (why.isPresent()) {
                return Optional.of(new UnknownHostException(HttpJson.refusedMessage(name.getHostString(), address.getAddress(), why.get())));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        super.close();
        delegate.close();
    }
}
