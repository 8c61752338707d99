package io.fleetgate.sync;

import io.fleetgate.identity.MacAddresses;
import io.fleetgate.net.IpAddress;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.security.AgentIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * Validates and normalises one reported device (the bounds are {@link IngestProperties}). Pure; a failure is a
 * {@link Rejected} with a reason, never an exception, so the rest of the batch goes on.
 */
final class DeviceValidator {

    private static final int MAX_TEXT = 255;

    /** The outcome for one device. */
    sealed interface Outcome permits Accepted, Rejected {
    }

    record Accepted(ValidDevice device) implements Outcome {
    }

    record Rejected(RejectionReason reason, String detail) implements Outcome {
        String message() {
            return reason.code() + ": " + detail;
        }
    }

    private final IngestProperties limits;

    DeviceValidator(IngestProperties limits) {
        this.limits = limits;
    }

    /** Validates a device reported by a source of type {@code sourceType}. */
    Outcome validate(DiscoveredDevice device, String sourceType) {
        String deviceId = device.getDeviceId().strip();
        if (deviceId.isEmpty()) {
            return new Rejected(RejectionReason.MISSING_DEVICE_ID, "device_id is empty");
        }
        if (deviceId.length() > limits.maxDeviceIdLength()) {
            return new Rejected(RejectionReason.DEVICE_ID_TOO_LONG, "device_id is longer than " + limits.maxDeviceIdLength());
        }
        String reportedType = device.getSourceType().strip();
        if (!reportedType.isEmpty() && !reportedType.equals(sourceType)) {
            return new Rejected(RejectionReason.SOURCE_TYPE_MISMATCH,
                    "source_type '" + abbreviate(reportedType) + "' is not the integration source's type '" + sourceType + "'");
        }
        for (String text : List.of(deviceId, device.getHostname(), device.getDeviceType(), device.getManufacturer(),
                device.getModel(), device.getAgentUid())) {
            if (text.indexOf('\0') >= 0) {
                return new Rejected(RejectionReason.NUL_CHARACTER, "a text field contains a NUL character");
            }
        }
        for (String text : List.of(device.getHostname(), device.getDeviceType(), device.getManufacturer(), device.getModel())) {
            if (text.length() > MAX_TEXT) {
                return new Rejected(RejectionReason.FIELD_TOO_LONG, "hostname, device_type, manufacturer and model are at most " + MAX_TEXT + " characters");
            }
        }
        if (device.getIpAddressesCount() > limits.maxAddressesPerDevice() || device.getMacAddressesCount() > limits.maxAddressesPerDevice()
                || device.getPortsCount() > limits.maxPortsPerDevice()) {
            return new Rejected(RejectionReason.TOO_MANY_VALUES, "more than " + limits.maxAddressesPerDevice()
                    + " addresses or " + limits.maxPortsPerDevice() + " ports");
        }
        LinkedHashSet<String> ips = new LinkedHashSet<>();
        for (String ip : device.getIpAddressesList()) {
            try {
                ips.add(IpAddress.parse(ip).toString());
            } catch (IllegalArgumentException e) {
                return new Rejected(RejectionReason.INVALID_IP_ADDRESS, e.getMessage());
            }
        }
        if (ips.isEmpty()) {
            return new Rejected(RejectionReason.NO_IP_ADDRESS, "a device needs at least one IP address");
        }
        LinkedHashSet<String> macs = new LinkedHashSet<>();
        for (String mac : device.getMacAddressesList()) {
            try {
                macs.add(MacAddresses.normalize(mac));
            } catch (IllegalArgumentException e) {
                return new Rejected(RejectionReason.INVALID_MAC_ADDRESS, e.getMessage());
            }
        }
        TreeSet<Integer> ports = new TreeSet<>();
        for (int port : device.getPortsList()) {
            if (port < 1 || port > 65535) {
                return new Rejected(RejectionReason.INVALID_PORT, "port " + Integer.toUnsignedString(port) + " is not in 1-65535");
            }
            ports.add(port);
        }
        String agentUid = device.getAgentUid().strip();
        if (!agentUid.isEmpty() && !AgentIds.isValid(agentUid)) {
            return new Rejected(RejectionReason.INVALID_AGENT_UID, "agent_uid must match " + AgentIds.PATTERN.pattern());
        }
        String rawJson = "{}";
        List<Integer> rawPorts = List.of();
        if (!device.getRawData().isEmpty()) {
            if (device.getRawData().size() > limits.maxRawData().toBytes()) {
                return new Rejected(RejectionReason.RAW_DATA_TOO_LARGE, "raw_data is larger than " + limits.maxRawData());
            }
            if (!device.getRawData().isValidUtf8()) {
                return new Rejected(RejectionReason.INVALID_RAW_DATA, "raw_data is not UTF-8");
            }
            RawData.Inspection inspection = RawData.inspect(device.getRawData().toByteArray());
            if (!inspection.valid()) {
                return new Rejected(inspection.problem().equals(RawData.NUL) ? RejectionReason.NUL_CHARACTER
                        : RejectionReason.INVALID_RAW_DATA, inspection.problem());
            }
            rawJson = device.getRawData().toStringUtf8();
            rawPorts = inspection.ports();
        }
        List<String> usable = new ArrayList<>();
        for (String mac : macs) {
            if (MacAddresses.usable(mac)) {
                usable.add(mac);
            }
        }
        return new Accepted(new ValidDevice(deviceId, sourceType, List.copyOf(ips), List.copyOf(macs), List.copyOf(usable),
                blankToNull(device.getHostname()), blankToNull(device.getDeviceType()), blankToNull(device.getManufacturer()),
                blankToNull(device.getModel()), List.copyOf(ports), rawJson, rawPorts, agentUid.isEmpty() ? null : agentUid));
    }

    private static String blankToNull(String value) {
        String stripped = value.strip();
        return stripped.isEmpty() ? null : stripped;
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
