package io.fleetgate.client.sync.discovery;

import io.fleetgate.net.IpAddress;
import io.fleetgate.net.OutboundPolicy;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Non-blocking JSON over HTTP for the inventory APIs. Redirects are followed only on the origin
 * they came from (a source's credentials never leave its endpoint's origin), bodies are bounded,
 * and under a restricted {@link OutboundPolicy} no connection reaches a refused address: literal
 * addresses are checked before connecting, names as they resolve, and the connected peer again.
 */
public final class HttpJson implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REDIRECTS = 5;
    static final int MAX_BODY = 64 * 1024 * 1024;
    /** NIO, because the guarding resolver's datagram channel must match the event loop's transport. */
    private static final LoopResources LOOPS = LoopResources.create("fleetgate-inventory", 2, true);

    private final OutboundPolicy policy;
    private final GuardedResolverGroup resolver;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.shared();

    public HttpJson(OutboundPolicy policy) {
        this(policy, policy.restricted() ? new GuardedResolverGroup(policy) : null);
    }

    HttpJson(OutboundPolicy policy, GuardedResolverGroup resolver) {
        this.policy = policy;
        this.resolver = resolver;
        HttpClient client = HttpClient.create()
                .runOn(LOOPS, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .responseTimeout(TIMEOUT)
                .followRedirect(false);
        if (resolver != null) {
            client = client.resolver(resolver).doOnConnected(connection -> {
                if (connection.channel().remoteAddress() instanceof InetSocketAddress peer
                        && peer.getAddress() != null && policy.refusal(peer.getAddress()).isPresent()) {
                    connection.dispose();
                }
            });
        }
        this.http = client;
    }

    Mono<JsonNode> get(URI uri, Map<String, String> headers) {
        return send(new Request(HttpMethod.GET, uri, headers, null), 0);
    }

    Mono<JsonNode> postForm(URI uri, String form) {
        return send(new Request(HttpMethod.POST, uri, Map.of("Content-Type", "application/x-www-form-urlencoded"), form), 0);
    }

    private record Request(HttpMethod method, URI uri, Map<String, String> headers, String body) {
    }

    private record Answer(HttpClientResponse response, byte[] body) {
    }

    private Mono<JsonNode> send(Request request, int redirects) {
        Optional<String> refused = literalRefusal(request.uri());
        if (refused.isPresent()) {
            return Mono.error(new IllegalStateException(refused.get()));
        }
        HttpClient.ResponseReceiver<?> receiver = http
                .headers(headers -> {
                    headers.set(HttpHeaderNames.ACCEPT, "application/json");
                    request.headers().forEach(headers::set);
                })
                .request(request.method())
                .uri(request.uri())
                .send(request.body() == null ? ByteBufFlux.empty() : ByteBufFlux.fromString(Mono.just(request.body())));
        return receiver.response((response, content) -> bounded(content).map(body -> new Answer(response, body)))
                .single()
                .flatMap(answer -> {
                    int status = answer.response().status().code();
                    if (status / 100 == 3 && answer.response().responseHeaders().contains(HttpHeaderNames.LOCATION)) {
                        return redirect(request, answer.response().responseHeaders().get(HttpHeaderNames.LOCATION), status, redirects);
                    }
                    String body = new String(answer.body(), StandardCharsets.UTF_8);
                    if (status / 100 != 2) {
                        return Mono.error(new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
                                + status + ": " + (body.length() > 200 ? body.substring(0, 200) : body)));
                    }
                    return Mono.just(json.readTree(body));
                });
    }

    private Mono<JsonNode> redirect(Request request, String location, int status, int redirects) {
        URI target = request.uri().resolve(location);
        if (!sameOrigin(request.uri(), target)) {
            return Mono.error(new IllegalStateException(request.method() + " " + request.uri().getPath() + " redirected to another origin ("
                    + origin(target) + "); not followed, so the source's credentials stay with " + origin(request.uri())));
        }
        if (redirects >= MAX_REDIRECTS) {
            return Mono.error(new IllegalStateException(request.method() + " " + request.uri().getPath() + ": more than "
                    + MAX_REDIRECTS + " redirects"));
        }
        boolean keepMethod = status == 307 || status == 308;
        Request next = keepMethod ? new Request(request.method(), target, request.headers(), request.body())
                : new Request(HttpMethod.GET, target, request.headers(), null);
        return send(next, redirects + 1);
    }

    /** The body, or an error once it passes {@link #MAX_BODY}: a misbehaving server cannot fill the heap. */
    private static Mono<byte[]> bounded(ByteBufFlux content) {
        return content.asByteArray()
                .reduce(new ByteArrayOutputStream(), (buffer, chunk) -> {
                    if (buffer.size() + chunk.length > MAX_BODY) {
                        throw new IllegalStateException("response larger than " + MAX_BODY / (1024 * 1024) + " MiB");
                    }
                    buffer.write(chunk, 0, chunk.length);
                    return buffer;
                })
                .map(ByteArrayOutputStream::toByteArray);
    }

    private Optional<String> literalRefusal(URI uri) {
        String host = uri.getHost();
        if (!policy.restricted() || host == null) {
            return Optional.empty();
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        IpAddress address;
        try {
            address = IpAddress.parse(literal);
        } catch (IllegalArgumentException notALiteral) {
            return Optional.empty();
        }
        return policy.refusal(address).map(why -> refusedMessage(host, null, why));
    }

    static String refusedMessage(String host, InetAddress resolved, String why) {
        return "endpoint host " + host + (resolved == null ? " is " : " resolves to " + resolved.getHostAddress() + ", ") + why
                + ": the SaaS sync does not connect there (a platform admin may allow a range with FLEETGATE_SAAS_ALLOWED_NETWORKS)";
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    /** The same path and query on {@code origin}'s scheme, host and port. */
    static URI onOrigin(URI origin, URI link) {
        String rawQuery = link.getRawQuery();
        return URI.create(origin.getScheme() + "://" + origin.getRawAuthority() + Objects.requireNonNullElse(link.getRawPath(), "/")
                + (rawQuery == null ? "" : "?" + rawQuery));
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + ":" + port(uri);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    @Override
    public void close() {
        if (resolver != null) {
            resolver.close();
        }
    }

    static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String step : path) {
            if (current == null || current.isNull()) {
                return null;
            }
            current = current.get(step);
        }
        return current == null || current.isNull() ? null : current.asString();
    }
}
