using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary>
/// <c>struct llama_model_kv_override</c>: 264 bytes (<c>int32 tag; char key[128]; union { int64; double; bool;
/// char[128] }</c>, the union 8-aligned at 136). An array of these, ended by an entry whose key is empty, goes in
/// <see cref="LlamaModelParams.kv_overrides"/>.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 264)]
internal unsafe struct LlamaModelKvOverride
{
    /// <summary><c>llama_model_kv_override_type</c>: INT 0, FLOAT 1, BOOL 2, STR 3. Offset 0.</summary>
    [FieldOffset(0)]
    public int tag;

    /// <summary>NUL-terminated key. Offset 4.</summary>
    [FieldOffset(4)]
    public fixed byte key[128];

    /// <summary>Offset 136.</summary>
    [FieldOffset(136)]
    public long val_i64;

    /// <summary>Offset 136.</summary>
    [FieldOffset(136)]
    public double val_f64;

    /// <summary>C bool. Offset 136.</summary>
    [FieldOffset(136)]
    public byte val_bool;

    /// <summary>NUL-terminated string value. Offset 136.</summary>
    [FieldOffset(136)]
    public fixed byte val_str[128];
}
