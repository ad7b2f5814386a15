using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// <c>struct llama_model_params</c> at llama.cpp v0.5.0: 80 bytes, passed by value to
/// <c>llama_model_load_from_file</c>. Blittable: C <c>bool</c> is <see cref="byte"/>, pointers and callbacks are
/// <see cref="nint"/>. Field names and order are the header's (llama-native.md §2); do not reorder.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    /// <summary>NULL-terminated <c>ggml_backend_dev_t*</c> list of offload devices; NULL = all. Offset 0.</summary>
    public nint devices;

    /// <summary><c>const llama_model_tensor_buft_override*</c>, NULL-terminated. Offset 8.</summary>
    public nint tensor_buft_overrides;

    /// <summary>Layers to store in VRAM; negative = all (default -1). Offset 16.</summary>
    public int n_gpu_layers;

    /// <summary>How to split the model across GPUs (default <see cref="LlamaSplitMode.Layer"/>). Offset 20.</summary>
    public LlamaSplitMode split_mode;

    /// <summary>How to load the model (new in v0.5.0; default <see cref="LlamaLoadMode.Auto"/>). Offset 24.</summary>
    public LlamaLoadMode load_mode;

    /// <summary>On-demand reading of tensors (new in v0.5.0; default <see cref="LlamaLazyMode.Auto"/>). Offset 28.</summary>
    public LlamaLazyMode lazy_mode;

    /// <summary>The GPU used for the whole model when <c>split_mode</c> is None. Offset 32.</summary>
    public int main_gpu;

    /// <summary><c>const float*</c>, size <c>llama_max_devices()</c>. Offset 40.</summary>
    public nint tensor_split;

    /// <summary><c>bool (*)(float progress, void* user_data)</c>; returning false aborts the load. Offset 48.</summary>
    public nint progress_callback;

    /// <summary>Offset 56.</summary>
    public nint progress_callback_user_data;

    /// <summary><c>const llama_model_kv_override*</c>, terminated by an entry whose key is empty. Offset 64.</summary>
    public nint kv_overrides;

    /// <summary>Only load the vocabulary, no weights. Offset 72.</summary>
    public byte vocab_only;

    /// <summary>Validate model tensor data. Offset 73.</summary>
    public byte check_tensors;

    /// <summary>Use extra buffer types (weight repacking); default 1. Offset 74.</summary>
    public byte use_extra_bufts;

    /// <summary>Bypass the host buffer. Offset 75.</summary>
    public byte no_host;

    /// <summary>Only load metadata and simulate allocations. Offset 76.</summary>
    public byte no_alloc;

    /// <summary>Load MTP layers (new in v0.5.0). Offset 77.</summary>
    public byte load_mtp;
}
