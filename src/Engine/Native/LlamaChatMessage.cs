using System.Runtime.InteropServices;

namespace Vespa.Engine.Native;

/// <summary><c>struct llama_chat_message</c>: 16 bytes, two NUL-terminated UTF-8 strings.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaChatMessage
{
    /// <summary><c>const char*</c>. Offset 0.</summary>
    public nint role;

    /// <summary><c>const char*</c>. Offset 8.</summary>
    public nint content;
}
