namespace Vespa.Engine.Native;

/// <summary>C enum <c>ggml_backend_dev_type</c> (ggml-backend.h). Values are exact for llama.cpp v0.5.0.</summary>
internal enum GgmlBackendDevType
{
    Cpu = 0,
    Gpu = 1,
    /// <summary>Integrated GPU using host memory.</summary>
    Igpu = 2,
    Accel = 3,
    Meta = 4,
}
