package sources

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// prescanXLSX reads every XML part of a workbook once, before excelize parses it, and refuses
// what excelize would hold whole in memory or read wrongly: a part that inflates beyond the
// unzip limit, a run of text or whitespace between two tags longer than maxRun (a zip bomb of
// padding, or a gigantic cell), and a part whose data disagrees with its zip header (size or
// checksum: a damaged or forged file). The scan streams: its memory does not depend on the file.
func prescanXLSX(path string, maxRun int64) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return &FileError{Path: path, Expected: "a complete XLSX workbook",
			Found: "a damaged, truncated or unsupported (encrypted?) zip: " + err.Error(),
			Hint:  "the file was probably cut during transfer: ask the partner to deliver it again"}
	}
	defer zr.Close()
	var total int64
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".xml") && !strings.HasSuffix(strings.ToLower(f.Name), ".rels") {
			continue
		}
		n, err := scanPart(f, maxRun, xlsxUnzipLimit-total)
		total += n
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				fe.Path = path
				return fe
			}
			return &FileError{Path: path, Expected: "a complete XLSX workbook",
				Found: fmt.Sprintf("a damaged part %s: %v", f.Name, err),
				Hint:  "the file was probably cut or altered during transfer: ask the partner to deliver it again"}
		}
	}
	return nil
}

// scanPart inflates one zip entry and measures its longest run between tags.
func scanPart(f *zip.File, maxRun, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<16)
	var n, run int64
	buf := make([]byte, 1<<16)
	for {
		k, err := br.Read(buf)
		for _, c := range buf[:k] {
			if c == '<' || c == '>' {
				run = 0
				continue
			}
			run++
			if run > maxRun {
				return n, &FileError{Expected: "a workbook of extract rows",
					Found: fmt.Sprintf("a text or padding of more than %d bytes in %s (a zip bomb or a gigantic cell)", maxRun, f.Name),
					Hint:  "export the extract again as plain rows, or as CSV"}
			}
		}
		n += int64(k)
		if n > budget {
			return n, &FileError{Expected: fmt.Sprintf("a workbook that unpacks to at most %d GiB", xlsxUnzipLimit>>30),
				Found: fmt.Sprintf("%s unpacks to more (a zip bomb?)", f.Name), Hint: "deliver the extract as CSV, or split it"}
		}
		if err == io.EOF {
			if uint64(n) != f.UncompressedSize64 {
				return n, fmt.Errorf("%d bytes of data where the zip header says %d", n, f.UncompressedSize64)
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
