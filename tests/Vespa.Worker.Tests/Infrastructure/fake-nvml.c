/*
 * A stand-in for libnvidia-ml.so.1 with fixed readings, compiled by the tests (FakeNvml.cs) with gcc at run time.
 * It implements the functions Vespa binds (src/Worker/Metrics/Gpu/NvmlLibrary.cs) with the signatures of nvml.h,
 * refuses every call before nvmlInit_v2 as NVML does, and counts calls so the tests can see the lifecycle and that
 * NVML is never called on the request path.
 *
 * Two GPUs:
 *   0  "NVIDIA H200"  every reading works: 42 % busy, 17 % memory busy, 20 of 80 GiB used, 65 C, 312.5 of 700 W
 *   1  "NVIDIA T4"    utilisation and memory work (100 %, 55 %, 4 of 16 GiB); temperature fails (NVML_ERROR_UNKNOWN);
 *                     power and power limit are NVML_ERROR_NOT_SUPPORTED
 *
 * Variants (gcc -D): FAKE_NVML_NO_DRIVER makes nvmlInit_v2 answer NVML_ERROR_DRIVER_NOT_LOADED;
 * FAKE_NVML_DEVICE_COUNT=n changes the number of GPUs reported (at most 2).
 */
#include <string.h>

typedef int nvmlReturn_t;
typedef struct { unsigned int index; } fake_device;
typedef fake_device *nvmlDevice_t;
typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_UNKNOWN 999

#ifndef FAKE_NVML_DEVICE_COUNT
#define FAKE_NVML_DEVICE_COUNT 2
#endif

#define GIB (1024ULL * 1024ULL * 1024ULL)

static fake_device devices[2] = {{0}, {1}};
static unsigned int device_count = FAKE_NVML_DEVICE_COUNT;
static int initialized;

/* Call counters, read by the tests through dlsym. */
int fake_nvml_init_calls;
int fake_nvml_shutdown_calls;
int fake_nvml_utilization_calls;
int fake_nvml_temperature_calls;
int fake_nvml_power_calls;

static int copy_string(char *target, unsigned int length, const char *value)
{
    if (target == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (strlen(value) + 1 > length) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    strcpy(target, value);
    return NVML_SUCCESS;
}

static int valid(nvmlDevice_t device)
{
    return (device_count > 0 && device == &devices[0]) || (device_count > 1 && device == &devices[1]);
}

nvmlReturn_t nvmlInit_v2(void)
{
    fake_nvml_init_calls++;
#ifdef FAKE_NVML_NO_DRIVER
    return NVML_ERROR_DRIVER_NOT_LOADED;
#else
    initialized++;
    return NVML_SUCCESS;
#endif
}

nvmlReturn_t nvmlShutdown(void)
{
    fake_nvml_shutdown_calls++;
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    initialized--;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    return copy_string(version, length, "550.54.15");
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    *count = device_count;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (index >= device_count || device == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *device = &devices[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device)) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    return copy_string(name, length, device->index == 0 ? "NVIDIA H200" : "NVIDIA T4");
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device)) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    return copy_string(uuid, length, device->index == 0
        ? "GPU-00000000-1111-2222-3333-444444444444"
        : "GPU-55555555-6666-7777-8888-999999999999");
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization)
{
    fake_nvml_utilization_calls++;
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device) || utilization == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    utilization->gpu = device->index == 0 ? 42 : 100;
    utilization->memory = device->index == 0 ? 17 : 55;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device) || memory == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    memory->total = device->index == 0 ? 80 * GIB : 16 * GIB;
    memory->used = device->index == 0 ? 20 * GIB : 4 * GIB;
    memory->free = memory->total - memory->used;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temperature)
{
    fake_nvml_temperature_calls++;
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device) || sensor != 0 || temperature == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (device->index == 1) {
        return NVML_ERROR_UNKNOWN;
    }
    *temperature = 65;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *milliwatts)
{
    fake_nvml_power_calls++;
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device) || milliwatts == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (device->index == 1) {
        return NVML_ERROR_NOT_SUPPORTED;
    }
    *milliwatts = 312500;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *milliwatts)
{
    if (!initialized) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (!valid(device) || milliwatts == 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (device->index == 1) {
        return NVML_ERROR_NOT_SUPPORTED;
    }
    *milliwatts = 700000;
    return NVML_SUCCESS;
}
