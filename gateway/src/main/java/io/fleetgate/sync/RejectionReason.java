package io.fleetgate.sync;

/** Why a device of a batch was not stored; the code is also the metric label. */
public enum RejectionReason {
    MISSING_DEVICE_ID, DEVICE_ID_TOO_LONG, SOURCE_TYPE_MISMATCH, NO_IP_ADDRESS, INVALID_IP_ADDRESS, INVALID_MAC_ADDRESS,
    INVALID_PORT, INVALID_RAW_DATA, RAW_DATA_TOO_LARGE, INVALID_AGENT_UID, FIELD_TOO_LONG, TOO_MANY_VALUES, NUL_CHARACTER;

    public String code() {
        return name().toLowerCase();
    }
}
