package thugom_test

import (
	"errors"
	"fmt"

	"github.com/thugom/thugom"
)

func ExampleNormalizePhone() {
	for _, s := range []string{"0912 345 678", "+84 912.345.678", "(0205) 3871 234", "12345"} {
		p, err := thugom.NormalizePhone("phone", s)
		fmt.Println(p, err)
	}
	// Output:
	// +84912345678 <nil>
	// +84912345678 <nil>
	// +842053871234 <nil>
	//  phone: "12345" is not a Vietnamese phone number
}

func ExampleErrorf() {
	err := fmt.Errorf("import line 7: %w", thugom.Errorf(thugom.EConflict, "marketplace_order_id", "order PM-1 already exists"))
	fmt.Println(errors.Is(err, thugom.ErrConflict), thugom.ErrorCode(err))
	var e *thugom.Error
	if errors.As(err, &e) {
		fmt.Println(e.Field, "—", e.Message)
	}
	// Output:
	// true conflict
	// marketplace_order_id — order PM-1 already exists
}
