@testable import SluiceKernel
import Testing

@Suite("CRC-32C")
struct CRC32CTests {
    @Test func checkValueOf123456789() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// The iSCSI test vectors of RFC 3720, appendix B.4.
    @Test func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test func emptyInputIsZero() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// The 8-byte fast path and the byte-at-a-time tail must agree at every split.
    @Test func continuingAcrossChunksMatchesOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(bytes)
        for split in [1, 7, 8, 9, 63, 500, 999] {
            let first = CRC32C.checksum(bytes[..<split])
            #expect(CRC32C.checksum(bytes[split...], continuing: first) == whole, "split at \(split)")
        }
    }

    /// The CPU instruction path (when this machine has one) and the tables agree on every
    /// length and alignment: the hardware loop aligns its start and handles a tail.
    @Test func hardwareAndTablesAgreeAtEveryAlignment() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for length in [0, 1, 3, 7, 8, 9, 15, 16, 17, 64, 255, 300 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    let viaTables = CRC32C.tableUpdate(0xFFFF_FFFF, slice)
                    #expect(CRC32C.update(0xFFFF_FFFF, slice) == viaTables, "start \(start), length \(length)")
                }
            }
        }
    }

    /// Three-stream blocks (3 × 256 and 3 × 8192 bytes), their joins and the tails after
    /// them must give the tables' CRC at lengths around every block boundary.
    @Test func hardwareAndTablesAgreeAcrossThreeStreamBlocks() {
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        bytes.withUnsafeBytes { all in
            for base in [767, 768, 769, 1_535, 1_536, 2_311, 24_575, 24_576, 24_577, 25_344, 49_152, 49_921] {
                for start in [0, 3] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + base)])
                    #expect(CRC32C.update(0xFFFF_FFFF, slice) == CRC32C.tableUpdate(0xFFFF_FFFF, slice), "length \(base) from \(start)")
                }
            }
            let whole = UnsafeRawBufferPointer(rebasing: all[0..<70_000])
            let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[0..<30_001]))
            #expect(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[30_001..<70_000]), continuing: first) == CRC32C.checksum(whole))
        }
    }

    /// Folding (x86-64 with AVX-512 and VPCLMULQDQ, buffers of 1 KiB and more): its
    /// 256-byte steps, the 16-byte steps after them and the tail must give the tables'
    /// CRC from any register, as must the instruction-only path at the same lengths.
    @Test func foldingAndInstructionAgreeWithTablesAcrossFoldingSteps() {
        let bytes = (0..<20_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_246_822_519) >> 11) }
        let lengths = [1_023, 1_024, 1_025, 1_031, 1_039, 1_040, 1_041, 1_279, 1_280, 1_281, 1_295, 1_296,
                       1_535, 4_095, 4_096, 4_097, 8_191, 19_990]
        bytes.withUnsafeBytes { all in
            for length in lengths {
                for start in [0, 1, 5, 8] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    for register: UInt32 in [0xFFFF_FFFF, 0, 0x1234_5678] {
                        let viaTables = CRC32C.tableUpdate(register, slice)
                        #expect(CRC32C.update(register, slice) == viaTables, "length \(length) from \(start)")
                        #expect(CRC32C.instructionUpdate(register, slice) == viaTables, "length \(length) from \(start)")
                    }
                }
            }
        }
    }

    @Test func thisX86MachineUsesTheInstruction() {
        #if arch(x86_64)
        #expect(CRC32C.hardwareAvailable, "every x86-64 CPU since 2008 has SSE4.2")
        #endif
    }
}
