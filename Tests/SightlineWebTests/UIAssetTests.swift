import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SightlineWeb

@Suite struct UIAssetTests {
    @Test func bundledUIHasItsEntryPoints() {
        #expect(UIAssets.bundled.assets["index.html"] != nil)
    }
}
