using System.Runtime.InteropServices;
using System.Text;

namespace Vespa.Worker.Metrics.Gpu;

/// <summary>
/// Our binding of the thirteen NVML functions the GPU metrics read (nvml.h of the NVIDIA driver; all of them, with
/// the <c>_v2</c> names for init, count and handle, are exported by every current driver).
/// </summary>
/// <remarks>
/// <para>
/// Unlike the llama.cpp binding (<c>[LibraryImport]</c> behind one process-wide resolver, llama-native.md §3), NVML is
/// bound per instance: <see cref="NativeLibrary.Load(string)"/> and <see cref="NativeLibrary.GetExport"/> into
/// unmanaged function pointers. The library is optional, its path is a run-time option (<c>VESPA_NVML_LIBRARY</c>),
/// and tests load a different fake library per test; a process-wide resolver would pin whichever library was bound
/// first for the life of the process. Every signature is blittable (integers, pointers, structs of integers), so no
/// marshalling code is generated and the binding stays AOT-clean.
/// </para>
/// <para>
/// Device handles (<c>nvmlDevice_t</c>) are borrowed pointers that NVML owns until <c>nvmlShutdown</c>: plain
/// <see cref="nint"/>, no SafeHandle. NVML is thread-safe, but the sampler calls it from one loop only.
/// </para>
/// </remarks>
internal sealed unsafe class NvmlLibrary : IDisposable
{
    /// <summary>The driver's library: installed by the NVIDIA driver (and the container toolkit) on the loader path.</summary>
    public static readonly string DefaultName = OperatingSystem.IsWindows() ? "nvml.dll" : "libnvidia-ml.so.1";

    // nvml.h: NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE, NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.
    private const int NameBufferSize = 96;
    private const int UuidBufferSize = 96;
    private const int DriverVersionBufferSize = 80;

    // nvmlTemperatureSensors_t: NVML_TEMPERATURE_GPU, the GPU die.
    private const uint TemperatureGpu = 0;

    private readonly delegate* unmanaged[Cdecl]<NvmlReturn> _init;
    private readonly delegate* unmanaged[Cdecl]<NvmlReturn> _shutdown;
    private readonly delegate* unmanaged[Cdecl]<NvmlReturn, byte*> _errorString;
    private readonly delegate* unmanaged[Cdecl]<byte*, uint, NvmlReturn> _systemGetDriverVersion;
    private readonly delegate* unmanaged[Cdecl]<uint*, NvmlReturn> _deviceGetCount;
    private readonly delegate* unmanaged[Cdecl]<uint, nint*, NvmlReturn> _deviceGetHandleByIndex;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, uint, NvmlReturn> _deviceGetName;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, uint, NvmlReturn> _deviceGetUuid;
    private readonly delegate* unmanaged[Cdecl]<nint, NvmlUtilization*, NvmlReturn> _deviceGetUtilizationRates;
    private readonly delegate* unmanaged[Cdecl]<nint, NvmlMemory*, NvmlReturn> _deviceGetMemoryInfo;
    private readonly delegate* unmanaged[Cdecl]<nint, uint, uint*, NvmlReturn> _deviceGetTemperature;
    private readonly delegate* unmanaged[Cdecl]<nint, uint*, NvmlReturn> _deviceGetPowerUsage;
    private readonly delegate* unmanaged[Cdecl]<nint, uint*, NvmlReturn> _deviceGetEnforcedPowerLimit;
    private nint _handle;

    private NvmlLibrary(nint handle, string name)
    {
        _handle = handle;
        Name = name;
        _init = (delegate* unmanaged[Cdecl]<NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlInit_v2");
        _shutdown = (delegate* unmanaged[Cdecl]<NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlShutdown");
        _errorString = (delegate* unmanaged[Cdecl]<NvmlReturn, byte*>)NativeLibrary.GetExport(handle, "nvmlErrorString");
        _systemGetDriverVersion = (delegate* unmanaged[Cdecl]<byte*, uint, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlSystemGetDriverVersion");
        _deviceGetCount = (delegate* unmanaged[Cdecl]<uint*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetCount_v2");
        _deviceGetHandleByIndex = (delegate* unmanaged[Cdecl]<uint, nint*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetHandleByIndex_v2");
        _deviceGetName = (delegate* unmanaged[Cdecl]<nint, byte*, uint, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetName");
        _deviceGetUuid = (delegate* unmanaged[Cdecl]<nint, byte*, uint, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetUUID");
        _deviceGetUtilizationRates = (delegate* unmanaged[Cdecl]<nint, NvmlUtilization*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetUtilizationRates");
        _deviceGetMemoryInfo = (delegate* unmanaged[Cdecl]<nint, NvmlMemory*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetMemoryInfo");
        _deviceGetTemperature = (delegate* unmanaged[Cdecl]<nint, uint, uint*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetTemperature");
        _deviceGetPowerUsage = (delegate* unmanaged[Cdecl]<nint, uint*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetPowerUsage");
        _deviceGetEnforcedPowerLimit = (delegate* unmanaged[Cdecl]<nint, uint*, NvmlReturn>)NativeLibrary.GetExport(handle, "nvmlDeviceGetEnforcedPowerLimit");
    }

    /// <summary>The name or path the library was loaded from.</summary>
    public string Name { get; }

    /// <summary>
    /// Loads <paramref name="name"/> (a bare file name is searched on the loader's path) and binds every function, or
    /// returns null with the loader's reason: the file is missing, not loadable, or lacks an NVML function.
    /// </summary>
    public static NvmlLibrary? TryLoad(string name, out string? error)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!TryLoadHandle(name, out var handle, out error))
        {
            return null;
        }

        try
        {
            return new NvmlLibrary(handle, name);
        }
        catch (EntryPointNotFoundException e)
        {
            NativeLibrary.Free(handle);
            error = $"{name} is not an NVML library: {e.Message}";
            return null;
        }
    }

    public NvmlReturn Init() => _init();

    public NvmlReturn Shutdown() => _shutdown();

    /// <summary>NVML's own text for a return code (static storage: never freed).</summary>
    public string ErrorString(NvmlReturn code)
    {
        var text = _errorString(code);
        return text is null ? code.ToString() : Marshal.PtrToStringUTF8((nint)text) ?? code.ToString();
    }

    public NvmlReturn GetDriverVersion(out string version)
    {
        var buffer = stackalloc byte[DriverVersionBufferSize];
        var result = _systemGetDriverVersion(buffer, DriverVersionBufferSize);
        version = result == NvmlReturn.Success ? ReadString(buffer, DriverVersionBufferSize) : "";
        return result;
    }

    public NvmlReturn GetDeviceCount(out uint count)
    {
        uint value = 0;
        var result = _deviceGetCount(&value);
        count = value;
        return result;
    }

    public NvmlReturn GetDeviceHandle(uint index, out nint device)
    {
        nint value = 0;
        var result = _deviceGetHandleByIndex(index, &value);
        device = value;
        return result;
    }

    public NvmlReturn GetDeviceName(nint device, out string name)
    {
        var buffer = stackalloc byte[NameBufferSize];
        var result = _deviceGetName(device, buffer, NameBufferSize);
        name = result == NvmlReturn.Success ? ReadString(buffer, NameBufferSize) : "";
        return result;
    }

    public NvmlReturn GetDeviceUuid(nint device, out string uuid)
    {
        var buffer = stackalloc byte[UuidBufferSize];
        var result = _deviceGetUuid(device, buffer, UuidBufferSize);
        uuid = result == NvmlReturn.Success ? ReadString(buffer, UuidBufferSize) : "";
        return result;
    }

    public NvmlReturn GetUtilization(nint device, out NvmlUtilization utilization)
    {
        NvmlUtilization value = default;
        var result = _deviceGetUtilizationRates(device, &value);
        utilization = value;
        return result;
    }

    public NvmlReturn GetMemory(nint device, out NvmlMemory memory)
    {
        NvmlMemory value = default;
        var result = _deviceGetMemoryInfo(device, &value);
        memory = value;
        return result;
    }

    /// <summary>The GPU die's temperature in °C.</summary>
    public NvmlReturn GetTemperature(nint device, out uint celsius)
    {
        uint value = 0;
        var result = _deviceGetTemperature(device, TemperatureGpu, &value);
        celsius = value;
        return result;
    }

    /// <summary>The board's power draw in milliwatts.</summary>
    public NvmlReturn GetPowerUsage(nint device, out uint milliwatts)
    {
        uint value = 0;
        var result = _deviceGetPowerUsage(device, &value);
        milliwatts = value;
        return result;
    }

    /// <summary>The power cap the driver enforces, in milliwatts.</summary>
    public NvmlReturn GetEnforcedPowerLimit(nint device, out uint milliwatts)
    {
        uint value = 0;
        var result = _deviceGetEnforcedPowerLimit(device, &value);
        milliwatts = value;
        return result;
    }

    /// <summary>Unloads the library; the owner calls <see cref="Shutdown"/> first and nothing afterwards.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
        {
            NativeLibrary.Free(handle);
        }
    }

    private static bool TryLoadHandle(string name, out nint handle, out string? error)
    {
        try
        {
            handle = NativeLibrary.Load(name);
            error = null;
            return true;
        }
        catch (DllNotFoundException e)
        {
            handle = 0;
            error = e.Message;
            return false;
        }
        catch (BadImageFormatException e)
        {
            handle = 0;
            error = e.Message;
            return false;
        }
    }

    // NVML writes NUL-terminated UTF-8; a string that fills the buffer without a NUL is taken whole, never overrun.
    private static string ReadString(byte* buffer, int size)
    {
        var bytes = new ReadOnlySpan<byte>(buffer, size);
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
